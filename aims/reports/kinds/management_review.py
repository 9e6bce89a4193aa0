"""Management reviews over a period (ISO/IEC 42001 9.3): for each review held, its attendees, the 9.3.2 inputs
as they were frozen when it was created, the minutes, the decisions on improvement and change (9.3.3), the
actions with owners and due dates, and the committee's closure decision."""

from __future__ import annotations

from typing import Any

from aims.governance.models import ManagementReview, ReviewAction
from aims.governance.selectors import records_for
from aims.reports.kinds.base import PERIOD, KindSpec, Params, period_of, username, when


def _input_lines(value: dict[str, Any]) -> list[str]:
    """A frozen input as short readable lines (the portal shows the same facts on the review page)."""
    lines = []
    if value.get("available") is False:
        return [value.get("note") or "Not available."]
    for key, item in value.items():
        if key in {"label", "available"}:
            continue
        name = key.replace("_", " ").capitalize()
        if isinstance(item, dict):
            text = ", ".join(f"{k}: {v}" for k, v in item.items()) or "none"
        elif isinstance(item, list):
            parts = []
            for entry in item[:20]:
                parts.append(", ".join(f"{v}" for v in entry.values()) if isinstance(entry, dict) else str(entry))
            text = "; ".join(parts) or "none"
            if len(item) > 20:
                text += f"; and {len(item) - 20} more"
        else:
            text = "—" if item in (None, "") else str(item)
        lines.append(f"{name}: {text}")
    return lines


def build_context(params: Params, user: Any) -> dict[str, Any]:
    first, last = period_of(params)
    reviews = []
    queryset = records_for(ManagementReview, user).filter(held_on__gte=first, held_on__lte=last)
    for review in queryset.select_related("created_by").order_by("held_on"):
        closure = review.closure_decisions().select_related("requested_by", "decided_by").order_by("-id").first()
        inputs = [
            {"label": value.get("label", key), "lines": _input_lines(value)}
            for key, value in (review.inputs or {}).items()
            if isinstance(value, dict)
        ]
        reviews.append(
            {
                "title": review.title,
                "held_on": review.held_on,
                "attendees": review.attendees,
                "status": review.get_status_display(),
                "inputs_assembled_at": when(review.inputs_assembled_at),
                "inputs": inputs,
                "minutes": review.minutes,
                "decisions": review.decisions,
                "closure": {
                    "status": closure.get_status_display(),
                    "requested_by": username(closure.requested_by),
                    "decided_by": username(closure.decided_by),
                    "decided_at": when(closure.decided_at),
                    "rationale": closure.rationale,
                }
                if closure
                else None,
                "actions": [
                    {
                        "description": a.description,
                        "owner": username(a.owner),
                        "due_on": a.due_on,
                        "status": a.get_status_display(),
                    }
                    for a in records_for(ReviewAction, user).filter(review=review).select_related("owner")
                ],
            }
        )
    return {
        "sections": [{"id": "reviews", "title": "Management reviews"}],
        "reviews": reviews,
        "version": ", ".join(f"{r['title']} ({r['status']})" for r in reviews)[:200],
    }


KIND = KindSpec(
    key="management-review",
    title="Management review",
    description="Reviews held in a period: frozen inputs, minutes, decisions, actions and closure.",
    template="reports/pdf/management_review.html",
    build_context=build_context,
    params=PERIOD,
    default_period_days=365,
    permissions=("governance.view_managementreview", "governance.view_reviewaction"),
)
