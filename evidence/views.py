"""Pages for evidence sources: health, registration, and token rotation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from evidence import selectors, services
from evidence.forms import EvidenceSourceForm, SourceTokenForm
from evidence.models import SourceToken


@permission_required("evidence.view_evidencesource")
def source_list(request: HttpRequest) -> HttpResponse:
    sources = list(selectors.sources_for(request.user))
    return render(request, "evidence/source_list.html", {"health": selectors.source_health(sources)})


@permission_required("evidence.view_evidencesource", "evidence.add_evidencesource")
def source_create(request: HttpRequest) -> HttpResponse:
    form = EvidenceSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.create_source(user=request.user, **form.cleaned_data)
            _, key = services.issue_source_token(source=source, user=request.user, name="initial")
        except (ServiceError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or exc)
        else:
            return render(request, "evidence/source_token.html", {"source": source, "key": key})
    return render(request, "evidence/source_form.html", {"form": form}, status=400 if form.errors else 200)


@permission_required("evidence.view_evidencesource")
def source_detail(request: HttpRequest, name: str) -> HttpResponse:
    source = get_object_or_404(selectors.sources_for(request.user), name=name)
    health = selectors.source_health([source])[0]
    return render(
        request,
        "evidence/source_detail.html",
        {"source": source, "health": health, "tokens": source.tokens.all(), "token_form": SourceTokenForm()},
    )


@permission_required("evidence.view_evidencesource", "evidence.change_evidencesource")
@require_POST
def token_issue(request: HttpRequest, name: str) -> HttpResponse:
    source = get_object_or_404(selectors.sources_for(request.user), name=name)
    form = SourceTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the token's name and lifetime.")
        return redirect("evidence:source-detail", name=source.name)
    _, key = services.issue_source_token(
        source=source, user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
    )
    return render(request, "evidence/source_token.html", {"source": source, "key": key})


@permission_required("evidence.view_evidencesource", "evidence.change_evidencesource")
@require_POST
def token_revoke(request: HttpRequest, name: str, pk: int) -> HttpResponse:
    source = get_object_or_404(selectors.sources_for(request.user), name=name)
    token = get_object_or_404(SourceToken.objects.filter(source=source), pk=pk)
    try:
        services.revoke_source_token(token=token, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("evidence:source-detail", name=source.name)
