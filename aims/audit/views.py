"""The audit trail page and its CSV export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aims.audit import selectors, services
from aims.audit.choices import AuditKind
from aims.audit.filtersets import AuditEventFilterSet
from aims.core.csv import csv_response
from aims.core.decorators import permission_required

HEADER = ["at", "kind", "actor", "summary", "subject_type", "subject_id", "ip_address"]


@permission_required("audit.view_auditevent")
def event_list(request: HttpRequest) -> HttpResponse:
    filterset = AuditEventFilterSet(request.GET or None, queryset=selectors.audit_events_for(request.user))
    page = Paginator(filterset.qs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {"filterset": filterset, "page": page, "query": query.urlencode()},
        status=400 if filterset.errors else 200,
    )


@permission_required("audit.view_auditevent")
def event_export(request: HttpRequest) -> HttpResponse:
    filterset = AuditEventFilterSet(request.GET or None, queryset=selectors.audit_events_for(request.user))
    if filterset.errors:
        return event_list(request)
    services.record(AuditKind.DOWNLOAD, actor=request.user, request=request, summary="Exported the audit trail")
    rows = (
        (e.at, e.kind, e.actor_label, e.summary, e.subject_type, e.subject_id, e.ip_address)
        for e in filterset.qs.iterator(chunk_size=1000)
    )
    return csv_response("audit-trail.csv", HEADER, rows)
