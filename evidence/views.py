"""Pages for evidence sources (health, registration, token rotation) and the evidence explorer (events, their
chain position and verification state, CSV export)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims.audit.choices import AuditKind
from aims.audit.services import record as audit
from aims.core.csv import csv_response
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from evidence import checkpoints, selectors, services
from evidence.filtersets import EventFilterSet
from evidence.forms import EvidenceSourceForm, SourceTokenForm
from evidence.models import Event, SourceToken

VIEW_EVENTS = ("evidence.view_evidencesource", "evidence.view_event")
PAGE_SIZE = 50
EXPORT_COLUMNS = [
    "source",
    "chain_index",
    "received_at",
    "occurred_at",
    "event_id",
    "kind",
    "node_id",
    "use_case",
    "stage",
    "decision",
    "model",
    "rule_ids",
    "event_hash",
]


@permission_required("evidence.view_evidencesource")
def source_list(request: HttpRequest) -> HttpResponse:
    sources = list(selectors.sources_for(request.user))
    return render(
        request,
        "evidence/source_list.html",
        {"health": selectors.source_health(sources), "key_fingerprint": checkpoints.current_fingerprint()},
    )


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
    recent = selectors.checkpoints_for(request.user).filter(source=source).prefetch_related("pushes")
    recent = recent.order_by("-day")[:14]
    return render(
        request,
        "evidence/source_detail.html",
        {
            "source": source,
            "health": health,
            "tokens": source.tokens.all(),
            "token_form": SourceTokenForm(),
            "checkpoints": recent,
        },
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


def _event_filters(request: HttpRequest) -> EventFilterSet:
    filterset = EventFilterSet(request.GET, queryset=selectors.events_for(request.user))
    filterset.filters["source"].queryset = selectors.sources_for(request.user).order_by("name")
    return filterset


@permission_required(*VIEW_EVENTS)
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = _event_filters(request)
    events = filterset.qs.select_related("source").order_by("-received_at", "-chain_index")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    field, start, end = filterset.bounds()
    return render(
        request,
        "evidence/event_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "period": {"field": field, "start": start, "end": end},
        },
        status=400 if filterset.errors else 200,
    )


def _export_rows(events: Any) -> Iterator[list[Any]]:
    for event in events.iterator(chunk_size=2000):
        yield [
            event.source.name,
            event.chain_index,
            event.received_at,
            event.occurred_at,
            event.event_id,
            event.kind,
            event.node_id,
            event.use_case,
            event.stage,
            event.decision,
            event.model_requested,
            " ".join(selectors.event_rule_ids(event.canonical)),
            event.event_hash,
        ]


@permission_required(*VIEW_EVENTS)
def event_export(request: HttpRequest) -> HttpResponse:
    filterset = _event_filters(request)
    if filterset.errors:
        return HttpResponseBadRequest("The filters are not valid.", content_type="text/plain")
    events = filterset.qs.select_related("source").order_by("source__name", "chain_index")
    field, start, end = filterset.bounds()
    audit(
        AuditKind.DOWNLOAD,
        summary="Evidence events exported (CSV)",
        actor=request.user,
        request=request,
        details={
            "filters": {k: v for k, v in request.GET.items() if k != "page"},
            "period": {"field": field, "start": start.isoformat(), "end": end.isoformat() if end else None},
        },
    )
    return csv_response("evidence-events.csv", EXPORT_COLUMNS, _export_rows(events))


@permission_required(*VIEW_EVENTS)
def event_detail(request: HttpRequest, name: str, index: int) -> HttpResponse:
    source = get_object_or_404(selectors.sources_for(request.user), name=name)
    event: Event = get_object_or_404(selectors.events_for(request.user), source=source, chain_index=index)
    verification = selectors.verify_event(event)
    pretty = json.dumps(verification.envelope, indent=2, ensure_ascii=False) if verification.envelope else ""
    return render(
        request,
        "evidence/event_detail.html",
        {
            "source": source,
            "event": event,
            "verification": verification,
            "pretty": pretty,
            "rule_ids": selectors.event_rule_ids(event.canonical),
        },
    )
