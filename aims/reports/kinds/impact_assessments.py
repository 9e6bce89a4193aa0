"""AI system impact assessments (ISO/IEC 42001 6.1.4, 8.4, A.5): for each assessed system, its context, the
stakeholders reached, each impact with its severity and mitigations, and who prepared and signed it off. Systems
of the register without an assessment are listed, so a gap shows."""

from __future__ import annotations

from typing import Any

from aims.reports.kinds.base import KindSpec, Params, username, when
from registry import selectors as registry
from risks import selectors as risks


def build_context(params: Params, user: Any) -> dict[str, Any]:
    assessments = []
    assessed = set()
    for assessment in risks.impact_assessments_for(user):
        assessed.add(assessment.ai_system_id)
        assessments.append(
            {
                "system": assessment.ai_system.name,
                "owner": username(assessment.ai_system.owner),
                "summary": assessment.summary,
                "stakeholders": assessment.affected_stakeholders,
                "status": assessment.get_status_display(),
                "review_reason": assessment.review_reason,
                "next_review_on": assessment.next_review_on,
                "prepared_by": username(assessment.prepared_by),
                "signed_off_by": username(assessment.signed_off_by),
                "signed_off_at": when(assessment.signed_off_at),
                "impacts": [
                    {
                        "area": i.get_area_display(),
                        "scope": i.get_scope_display(),
                        "affected": i.affected,
                        "description": i.description,
                        "severity": i.get_severity_display(),
                        "mitigations": i.mitigations,
                    }
                    for i in risks.impacts_of(assessment, user)
                ],
            }
        )
    missing = [s.name for s in registry.ai_systems_for(user) if s.pk not in assessed]
    return {
        "sections": [
            {"id": "summary", "title": "Summary"},
            {"id": "assessments", "title": "Assessments"},
        ],
        "assessments": assessments,
        "missing": missing,
    }


KIND = KindSpec(
    key="impact-assessments",
    title="AI system impact assessments",
    description="Each system's impact assessment: impacts, severity, mitigations and sign-off.",
    template="reports/pdf/impact_assessments.html",
    build_context=build_context,
    permissions=("risks.view_impactassessment", "risks.view_impact", "registry.view_aisystem"),
)
