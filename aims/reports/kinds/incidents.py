"""Incidents over a period (ISO/IEC 42001 A.8.4, 10.2; EU AI Act Art. 73 for serious incidents): each incident
the organisation became aware of in the period, with its systems, severity, status, the reporting deadline of a
serious one and whether it was met, and the communications recorded."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from aims.governance.models import Incident, IncidentCommunication
from aims.governance.selectors import records_for
from aims.reports.kinds.base import PERIOD, KindSpec, Params, period_bounds, username, when


def build_context(params: Params, user: Any) -> dict[str, Any]:
    start, end = period_bounds(params)
    now = timezone.now()
    incidents = []
    queryset = records_for(Incident, user).filter(aware_at__gte=start, aware_at__lt=end).select_related("owner")
    for incident in queryset.prefetch_related("ai_systems").order_by("aware_at"):
        deadline = incident.deadline
        reported = incident.reported_to_authority_at
        incidents.append(
            {
                "title": incident.title,
                "description": incident.description,
                "systems": [s.name for s in incident.ai_systems.all()],
                "severity": incident.get_severity_display(),
                "status": incident.get_status_display(),
                "owner": username(incident.owner),
                "occurred_at": when(incident.occurred_at),
                "aware_at": when(incident.aware_at),
                "serious": incident.serious,
                "serious_case": incident.get_serious_case_display() if incident.serious_case else "",
                "deadline": when(deadline.due_at) if deadline else "",
                "article": deadline.article if deadline else "",
                "reported_at": when(reported),
                "deadline_met": (reported <= deadline.due_at) if deadline and reported else None,
                "time_left": incident.time_left(now) if deadline and not reported else "",
                "communications": [
                    {
                        "direction": c.get_direction_display(),
                        "party": c.party,
                        "at": when(c.at),
                        "summary": c.summary,
                        "recorded_by": username(c.recorded_by),
                    }
                    for c in records_for(IncidentCommunication, user).filter(incident=incident).order_by("at")
                ],
            }
        )
    by_severity: dict[str, int] = {}
    for item in incidents:
        by_severity[item["severity"]] = by_severity.get(item["severity"], 0) + 1
    return {
        "sections": [{"id": "summary", "title": "Summary"}, {"id": "incidents", "title": "Incidents"}],
        "incidents": incidents,
        "by_severity": sorted(by_severity.items()),
        "serious": sum(1 for i in incidents if i["serious"]),
    }


KIND = KindSpec(
    key="incidents",
    title="Incidents",
    description="Incidents in a period: severity, serious-incident deadlines and communications.",
    template="reports/pdf/incidents.html",
    build_context=build_context,
    params=PERIOD,
    default_period_days=365,
    permissions=("governance.view_incident", "governance.view_incidentcommunication"),
)
