"""Pages of manual evidence artifacts (served under /controls/evidence/, because they evidence controls): the
list, uploading an artifact with its files, adding files, and downloading a file.

A file is only ever sent by `file_download`: to a user who may view artifacts, as an attachment, with the
content type detected at upload and `nosniff`, so a browser never renders it in the portal's origin.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from evidence import artifact_selectors as selectors
from evidence import artifacts_services as services
from evidence.artifact_forms import ArtifactEditForm, ArtifactFilesForm, ArtifactForm

VIEW = "evidence.view_evidenceartifact"


@permission_required(VIEW)
def artifact_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.artifacts_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "controls/artifact_list.html", {"page": page, "query": "", "today": timezone.localdate()})


@permission_required(VIEW, "evidence.add_evidenceartifact")
def artifact_create(request: HttpRequest) -> HttpResponse:
    form = ArtifactForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            artifact = services.create_artifact(
                user=request.user,
                title=data["title"],
                description=data["description"],
                effective_on=data["effective_on"],
                expires_on=data["expires_on"],
                implementations=list(data["implementations"]),
                files=data["files"],
                reason=data["reason"],
            )
        except ServiceError as exc:
            form.add_error("files" if "files" in exc.fields else None, exc.message)
            status = exc.status
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Evidence “{artifact.title}” saved.")
            return redirect("controls:artifact-detail", pk=artifact.pk)
    if form.errors and status == 200:
        status = 400
    return render(request, "controls/artifact_form.html", {"form": form}, status=status)


def _detail(request: HttpRequest, pk: int, form: ArtifactFilesForm | None = None, status: int = 200) -> HttpResponse:
    artifact = get_object_or_404(selectors.artifacts_for(request.user), pk=pk)
    return render(
        request,
        "controls/artifact_detail.html",
        {
            "artifact": artifact,
            "today": timezone.localdate(),
            "files_form": form or ArtifactFilesForm(),
            "history": selectors.artifact_history(artifact),
        },
        status=status,
    )


@permission_required(VIEW)
def artifact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@permission_required(VIEW, "evidence.change_evidenceartifact")
def artifact_add_files(request: HttpRequest, pk: int) -> HttpResponse:
    artifact = get_object_or_404(selectors.artifacts_for(request.user), pk=pk)
    if request.method != "POST":
        return redirect("controls:artifact-detail", pk=artifact.pk)
    form = ArtifactFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, pk, form=form, status=400)
    try:
        services.add_artifact_files(
            artifact=artifact, user=request.user, files=form.cleaned_data["files"], reason=form.cleaned_data["reason"]
        )
    except ServiceError as exc:
        form.add_error("files", exc.message)
        return _detail(request, pk, form=form, status=exc.status)
    messages.success(request, "Files added.")
    return redirect("controls:artifact-detail", pk=artifact.pk)


@permission_required(VIEW, "evidence.change_evidenceartifact")
def artifact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    artifact = get_object_or_404(selectors.artifacts_for(request.user), pk=pk)
    form = ArtifactEditForm(request.POST or None, instance=artifact)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.ARTIFACT_FIELDS}
        try:
            services.update_artifact(
                artifact=artifact,
                user=request.user,
                reason=form.cleaned_data["reason"],
                implementations=list(form.cleaned_data["implementations"]),
                **data,
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Evidence saved.")
            return redirect("controls:artifact-detail", pk=artifact.pk)
    return render(
        request,
        "controls/artifact_form.html",
        {"form": form, "artifact": artifact},
        status=400 if form.errors else 200,
    )


@permission_required(VIEW, "evidence.view_artifactfile")
def file_download(request: HttpRequest, pk: int) -> FileResponse:
    stored = get_object_or_404(selectors.files_for(request.user), pk=pk)
    audit.record(
        AuditKind.DOWNLOAD,
        actor=request.user,
        request=request,
        subject=stored,
        summary=f"Downloaded evidence file {stored.original_name}"[:300],
        details={"artifact": stored.artifact_id, "sha256": stored.sha256},
    )
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name, content_type=stored.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, nothing in it may run or load anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
