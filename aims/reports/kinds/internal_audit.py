"""Internal audits over a period (ISO/IEC 42001 9.2, 10.2): the programmes, the audits whose period overlaps
the report's with their scope, criteria, auditors, conclusion and findings, and the nonconformities raised in the
period or from those audits, with root cause, corrective actions and their effectiveness review."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from aims.governance.models import Audit, AuditFinding, AuditProgramme, CorrectiveAction, Nonconformity
from aims.governance.selectors import records_for
from aims.reports.kinds.base import PERIOD, KindSpec, Params, period_of, username, when


def build_context(params: Params, user: Any) -> dict[str, Any]:
    first, last = period_of(params)
    overlaps = Q(period_start__lte=last, period_end__gte=first)
    programmes = [
        {"title": p.title, "from": p.period_start, "to": p.period_end, "approach": p.approach}
        for p in records_for(AuditProgramme, user).filter(overlaps).order_by("period_start")
    ]
    audits = []
    audit_ids = []
    for audit in records_for(Audit, user).filter(overlaps).select_related("programme").order_by("period_start"):
        audit_ids.append(audit.pk)
        audits.append(
            {
                "title": audit.title,
                "programme": audit.programme.title,
                "scope": audit.scope,
                "criteria": audit.criteria,
                "from": audit.period_start,
                "to": audit.period_end,
                "auditors": [username(a) for a in audit.auditors.all()],
                "status": audit.get_status_display(),
                "conclusion": audit.conclusion,
                "findings": [
                    {"grade": f.get_grade_display(), "reference": f.reference, "description": f.description}
                    for f in records_for(AuditFinding, user).filter(audit=audit).order_by("id")
                ],
            }
        )
    ncs = []
    raised = Q(raised_on__gte=first, raised_on__lte=last) | Q(finding__audit_id__in=audit_ids)
    for nc in (
        records_for(Nonconformity, user).filter(raised).select_related("owner", "closed_by").order_by("raised_on")
    ):
        ncs.append(
            {
                "title": nc.title,
                "description": nc.description,
                "source": nc.get_source_display(),
                "control": nc.control_reference,
                "owner": username(nc.owner),
                "raised_on": nc.raised_on,
                "root_cause": nc.root_cause,
                "status": nc.get_status_display(),
                "effectiveness_review": nc.effectiveness_review,
                "closed": f"{username(nc.closed_by)}, {when(nc.closed_at)}" if nc.closed_at else "",
                "actions": [
                    {
                        "description": a.description,
                        "owner": username(a.owner),
                        "due_on": a.due_on,
                        "status": a.get_status_display(),
                        "completed_on": a.completed_on,
                    }
                    for a in records_for(CorrectiveAction, user).filter(nonconformity=nc).order_by("due_on")
                ],
            }
        )
    return {
        "sections": [
            {"id": "programmes", "title": "Audit programmes"},
            {"id": "audits", "title": "Audits and findings"},
            {"id": "nonconformities", "title": "Nonconformities and corrective action"},
        ],
        "programmes": programmes,
        "audits": audits,
        "nonconformities": ncs,
    }


KIND = KindSpec(
    key="internal-audit",
    title="Internal audit",
    description="Audit programmes, audits with findings, nonconformities and corrective actions in a period.",
    template="reports/pdf/internal_audit.html",
    build_context=build_context,
    params=PERIOD,
    default_period_days=365,
    permissions=(
        "governance.view_auditprogramme",
        "governance.view_audit",
        "governance.view_auditfinding",
        "governance.view_nonconformity",
        "governance.view_correctiveaction",
    ),
)
