"""Control effectiveness over a period (ISO/IEC 42001 9.1 monitoring and measurement, 8.1 operational control).

For each control the organisation runs: what it satisfies, its status at the end of the period, the dated check
results inside the period (failures first-class), the manual evidence in force, and the operating evidence the
enforcement layer recorded for the use cases it covers, counted per day from the daily rollups (never from raw
events). `control_rows()` is shared with the evidence pack's summary.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from aims.reports.kinds.base import PERIOD, KindSpec, Params, period_bounds, period_of, username, when
from controls import selectors as controls
from controls.choices import CheckOutcome, ControlStatus
from controls.models import ControlCheckResult
from registry.models import UseCase

DECISIONS = ("allow", "redact", "block", "error")


def _use_case_keys(implementation: Any) -> set[str]:
    keys = {uc.key for uc in implementation.use_cases.all()}
    systems = [s.pk for s in implementation.ai_systems.all()]
    if systems:
        keys |= set(UseCase.objects.filter(ai_system_id__in=systems).values_list("key", flat=True))
    return keys


def _daily_evidence(keys: set[str], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Per UTC day: decisions by outcome, redactions executed and fail-open decisions of these use cases."""
    if not keys:
        return []
    try:
        from evidence.choices import Granularity
        from evidence.models import Rollup
    except ImportError:  # the evidence app is optional for this report
        return []
    aggregates = {d: Sum("events", filter=Q(decision=d)) for d in DECISIONS}
    rows = (
        Rollup.objects.filter(granularity=Granularity.DAY, bucket__gte=start, bucket__lt=end, use_case__in=keys)
        .values("bucket")
        .annotate(total=Sum("events"), redacted=Sum("redaction_executed"), open=Sum("fail_open"), **aggregates)
        .order_by("bucket")
    )
    return [
        {
            "day": row["bucket"].date(),
            "events": row["total"] or 0,
            **{d: row[d] or 0 for d in DECISIONS},
            "redaction_executed": row["redacted"] or 0,
            "fail_open": row["open"] or 0,
        }
        for row in rows
    ]


def control_rows(params: Params, user: Any) -> list[dict[str, Any]]:
    """One dict per control implementation the user may read, over the period of `params`."""
    start, end = period_bounds(params)
    status_at = min(end, timezone.now())
    implementations = list(controls.implementations_for(user).prefetch_related("evidence_artifacts"))
    facts = controls.evidence_facts([i.pk for i in implementations], now=status_at)
    for pk, results in list(facts.results.items()):
        facts.results[pk] = [r for r in results if r.period_end <= status_at]
    results_by_impl: dict[int, list[Any]] = defaultdict(list)
    in_period = (
        ControlCheckResult.objects.restrict(user, "view")
        .filter(implementation__in=implementations, period_end__gte=start, period_start__lt=end)
        .order_by("period_end", "id")
    )
    for result in in_period:
        results_by_impl[result.implementation_id].append(result)
    first_day, last_day = period_of(params)
    out = []
    for implementation in implementations:
        status = facts.status([implementation.pk], applies=True, now=status_at)
        results = results_by_impl.get(implementation.pk, [])
        days = _daily_evidence(_use_case_keys(implementation), start, end)
        totals = {key: sum(day[key] for day in days) for key in ("events", *DECISIONS, "fail_open")}
        artifacts = [
            {"title": a.title, "effective_on": a.effective_on, "expires_on": a.expires_on}
            for a in implementation.evidence_artifacts.all()
            if a.effective_on <= last_day and a.expires_on >= first_day
        ]
        out.append(
            {
                "code": implementation.code,
                "name": implementation.name,
                "description": implementation.description,
                "owner": username(implementation.owner),
                "implementation_status": implementation.get_status_display(),
                "status": str(status),
                "status_label": str(ControlStatus(status).label),
                "requirements": [f"{r.framework.short_name} {r.ref}" for r in implementation.requirements.all()],
                "results": [
                    {
                        "period": f"{when(r.period_start)} to {when(r.period_end)}",
                        "metric": r.metric,
                        "value": r.value,
                        "target": r.target,
                        "outcome": r.outcome,
                        "outcome_label": r.get_outcome_display(),
                        "source": r.source,
                    }
                    for r in results
                ],
                "failures": sum(1 for r in results if r.outcome == CheckOutcome.FAIL),
                "artifacts": artifacts,
                "days": days,
                "totals": totals,
            }
        )
    return out


def build_context(params: Params, user: Any) -> dict[str, Any]:
    rows = control_rows(params, user)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status_label"]] = counts.get(row["status_label"], 0) + 1
    first, last = period_of(params)
    return {
        "sections": [
            {"id": "summary", "title": "Summary"},
            *({"id": f"control-{i}", "title": f"{row['code']} {row['name']}"} for i, row in enumerate(rows)),
        ],
        "period": {"from": first, "to": last, "days": (last - first).days + 1},
        "controls": rows,
        "status_counts": sorted(counts.items()),
        "failures": sum(row["failures"] for row in rows),
        "events": sum(row["totals"]["events"] for row in rows),
    }


KIND = KindSpec(
    key="control-effectiveness",
    title="Control effectiveness",
    description="Per control: implementations, check results over the period, evidence counts and failures.",
    template="reports/pdf/control_effectiveness.html",
    build_context=build_context,
    params=PERIOD,
    permissions=("controls.view_controlimplementation", "controls.view_controlcheckresult"),
)
