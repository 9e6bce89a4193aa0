"""The inputs of a management review (ISO/IEC 42001 9.3.2), assembled when the review is created.

Each input is one function returning a JSON-ready dict. Inputs that read another app do it through
`django.apps.apps.get_model`, so that this module works before that app has landed: a missing model gives
{"available": False, "note": "not available yet"} and the review says so, instead of failing. When the app
lands, the same function fills in with no change here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from aims.governance.choices import ActionStatus, NonconformityStatus, ReviewStatus

NOT_AVAILABLE = {"available": False, "note": "not available yet"}


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _count_by(model: type[models.Model], field: str, queryset: Any = None) -> dict[str, int]:
    queryset = model.objects.all() if queryset is None else queryset
    try:
        model._meta.get_field(field)
    except FieldDoesNotExist:
        return {}
    counts = Counter(str(v) for v in queryset.values_list(field, flat=True))
    return dict(sorted(counts.items()))


def previous_actions(now: datetime) -> dict[str, Any]:
    """9.3.2 a: the status of actions from previous management reviews."""
    from aims.governance.models import ManagementReview, ReviewAction

    closed = [r for r in ManagementReview.objects.all() if r.status == ReviewStatus.CLOSED]
    actions = ReviewAction.objects.filter(review__in=closed).select_related("owner", "review")
    today = now.date()
    return {
        "available": True,
        "by_status": _count_by(ReviewAction, "status", actions),
        "open_overdue": [
            {"action": a.description[:200], "owner": a.owner.username, "due_on": a.due_on.isoformat()}
            for a in actions
            if a.status == ActionStatus.OPEN and a.due_on < today
        ],
    }


def context_changes(now: datetime, since: datetime | None) -> dict[str, Any]:
    """9.3.2 b: changes in external and internal issues (and interested parties, scope) since the last review."""
    from aims.governance.models import AimsScope, ContextIssue, InterestedParty

    out: dict[str, Any] = {"available": True, "since": since.isoformat() if since else None}
    for key, model in (("issues", ContextIssue), ("interested_parties", InterestedParty), ("scope", AimsScope)):
        history = model.history.all()  # type: ignore[attr-defined]
        if since:
            history = history.filter(history_date__gt=since)
        out[key] = [
            {"what": str(h.instance)[:200], "change": h.get_history_type_display(), "on": h.history_date.isoformat()}
            for h in history.order_by("history_date")[:50]
        ]
    out["active_issues"] = ContextIssue.objects.filter(active=True).count()
    return out


def objective_progress(now: datetime) -> dict[str, Any]:
    """9.3.2 c 4: the extent to which AI objectives have been met."""
    from aims.governance.models import Objective

    rows = []
    for objective in Objective.objects.prefetch_related("kpis").order_by("due_on", "title"):
        progress = objective.progress
        rows.append(
            {
                "objective": objective.title,
                "status": objective.status,
                "due_on": objective.due_on.isoformat(),
                "kpis_met": sum(1 for k in objective.kpis.all() if k.met),
                "kpis": objective.kpis.count(),
                "progress_percent": float(progress) if progress is not None else None,
            }
        )
    return {"available": True, "objectives": rows, "by_status": _count_by(Objective, "status")}


def soa_and_controls(now: datetime) -> dict[str, Any]:
    """9.3.2 c: the Statement of Applicability and the status of controls (controls app)."""
    entry = _model("controls.SoAEntry")
    implementation = _model("controls.ControlImplementation")
    if entry is None and implementation is None:
        return dict(NOT_AVAILABLE)
    out: dict[str, Any] = {"available": True}
    if entry is not None:
        out["soa_entries"] = entry.objects.count()
        out["soa_by_applies"] = _count_by(entry, "applies")
        out["soa_by_implementation_status"] = _count_by(entry, "implementation_status")
        # The status each control has from what operates (controls.status), through the app's own selector.
        selectors = import_module(f"{entry._meta.app_config.name}.selectors")
        rows = selectors.soa_rows(entry.objects.all(), now=now)
        out["controls_by_status"] = dict(sorted(Counter(str(row.status) for row in rows).items()))
    if implementation is not None:
        out["implementations_by_status"] = _count_by(implementation, "status")
    version = _model("controls.SoAVersion")
    if version is not None:
        out["soa_versions"] = version.objects.count()
    return out


def audit_results(now: datetime, since: datetime | None) -> dict[str, Any]:
    """9.3.2 c 3: audit results."""
    from aims.governance.models import Audit, AuditFinding

    audits = Audit.objects.all()
    findings = AuditFinding.objects.all()
    if since:
        audits = audits.filter(period_end__gte=since.date())
        findings = findings.filter(audit__in=audits)
    return {
        "available": True,
        "audits": [{"audit": a.title, "status": a.status, "period_end": a.period_end.isoformat()} for a in audits],
        "findings_by_grade": _count_by(AuditFinding, "grade", findings),
    }


def nonconformities_and_incidents(now: datetime) -> dict[str, Any]:
    """9.3.2 c 1: nonconformities and corrective actions; incidents (A.8.4)."""
    from aims.governance.models import CorrectiveAction, Incident, Nonconformity

    open_ncs = Nonconformity.objects.exclude(status=NonconformityStatus.CLOSED)
    return {
        "available": True,
        "nonconformities_by_status": _count_by(Nonconformity, "status"),
        "open_nonconformities": [n.title for n in open_ncs],
        "actions_by_status": _count_by(CorrectiveAction, "status"),
        "overdue_actions": CorrectiveAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=now.date()).count(),
        "incidents_by_severity": _count_by(Incident, "severity"),
        "serious_incidents": Incident.objects.filter(serious=True).count(),
        "incidents_by_status": _count_by(Incident, "status"),
    }


def risk_summary(now: datetime) -> dict[str, Any]:
    """9.3.2 c: the results of risk assessment and risk treatment (risks app)."""
    risk = _model("risks.Risk")
    if risk is None:
        return dict(NOT_AVAILABLE)
    out: dict[str, Any] = {"available": True, "risks": risk.objects.count()}
    for field in ("status", "level", "treatment"):
        counts = _count_by(risk, field)
        if counts:
            out[f"by_{field}"] = counts
    impact = _model("risks.ImpactAssessment")
    if impact is not None:
        out["impact_assessments"] = impact.objects.count()
    return out


def evidence_health(now: datetime) -> dict[str, Any]:
    """9.3.2 c 2: monitoring and measurement results, here the health of the evidence sources."""
    source_model = _model("evidence.EvidenceSource")
    if source_model is None:
        return dict(NOT_AVAILABLE)
    from evidence.selectors import source_health

    rows = []
    for health in source_health(list(source_model.objects.filter(is_active=True).order_by("name"))):
        rows.append(
            {
                "source": health.source.name,
                "last_seen_at": health.last_seen_at.isoformat() if health.last_seen_at else None,
                "events_today": health.events_today,
                "gaps": health.gaps,
            }
        )
    return {"available": True, "sources": rows, "sources_with_gaps": sum(1 for r in rows if r["gaps"])}


INPUTS: list[tuple[str, str]] = [
    ("previous_actions", "Status of actions from previous management reviews"),
    ("context_changes", "Changes in external and internal issues"),
    ("objective_progress", "Progress on AI objectives"),
    ("soa_and_controls", "Statement of Applicability and control status"),
    ("audit_results", "Audit results"),
    ("nonconformities_and_incidents", "Nonconformities, corrective actions and incidents"),
    ("risk_summary", "Risk assessment and treatment"),
    ("evidence_health", "Evidence source health"),
]


def assemble(*, now: datetime) -> dict[str, Any]:
    """All inputs, keyed as in INPUTS; one failing input is recorded as such and never stops the review."""
    from aims.governance.models import ManagementReview

    last = ManagementReview.objects.order_by("-inputs_assembled_at").first()
    since = last.inputs_assembled_at if last else None
    calls: dict[str, Callable[[], dict[str, Any]]] = {
        "previous_actions": lambda: previous_actions(now),
        "context_changes": lambda: context_changes(now, since),
        "objective_progress": lambda: objective_progress(now),
        "soa_and_controls": lambda: soa_and_controls(now),
        "audit_results": lambda: audit_results(now, since),
        "nonconformities_and_incidents": lambda: nonconformities_and_incidents(now),
        "risk_summary": lambda: risk_summary(now),
        "evidence_health": lambda: evidence_health(now),
    }
    out: dict[str, Any] = {"assembled_at": now.isoformat()}
    for key, label in INPUTS:
        try:
            with transaction.atomic():  # a savepoint: a failed query must not abort the review's transaction
                value = calls[key]()
        except Exception as exc:
            value = {"available": False, "note": f"could not be assembled: {type(exc).__name__}"}
        out[key] = {"label": label, **value}
    return out
