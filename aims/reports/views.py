"""Report pages: the runs a person may see with a form to ask for one, a run's page with its progress, and the
download. Every download is recorded in the audit trail with the file's SHA-256."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from aims.reports import kinds, selectors, services
from aims.reports.choices import RunStatus
from aims.reports.forms import ReportRequestForm
from aims.reports.models import ReportRun

VIEW = "reports.view_reportrun"
ADD = "reports.add_reportrun"


@permission_required(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    can_request = request.user.has_perm(ADD)
    form = ReportRequestForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = services.request_report(
                    user=request.user, kind=form.cleaned_data["kind"], parameters=form.parameters()
                )
            except ServiceError as exc:
                for name, errors in exc.fields.items():
                    field = name.removeprefix("parameters.")
                    form.add_error(field if field in form.fields else None, errors)
                if not exc.fields:
                    form.add_error(None, exc.message)
                status = exc.status
            else:
                messages.success(request, f"{run.get_kind_display()} report queued.")
                return redirect("reports:detail", pk=run.pk)
        if status == 200:
            status = 400
    page = Paginator(selectors.runs_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/index.html",
        {"page": page, "form": form, "can_request": can_request, "kinds": kinds.kinds_for(request.user)},
        status=status,
    )


@permission_required(VIEW)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    return render(request, "reports/detail.html", {"run": run, "spec": kinds.get(run.kind)})


@permission_required(VIEW)
def download(request: HttpRequest, pk: int) -> FileResponse:
    run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
    if run.status != RunStatus.DONE or not run.file:
        raise Http404("The report is not ready.")
    response = file_response(run)
    services.record_download(run=run, user=request.user, request=request)
    return response


def file_response(run: ReportRun) -> FileResponse:
    """The run's file as an attachment (shared with the API's download)."""
    spec = kinds.get(run.kind)
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        # The row outlived its file (media restored from an older backup): say so instead of failing.
        raise Http404("The report's file is missing from storage; ask for it again.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=run.download_name,
        content_type=spec.content_type if spec else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    # The hash the audit trail records, so a client can check what it received.
    response["X-Content-SHA256"] = run.sha256
    return response
