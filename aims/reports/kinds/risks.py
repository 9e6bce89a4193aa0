"""The risk register and its treatment (ISO/IEC 42001 6.1.2, 6.1.3, 8.2, 8.3): every risk with its inherent and
residual rating under the criteria in force, the inherent and residual heatmaps (the same SVG as the risk
pages), treatment plans with their actions, and the acceptances of residual risk with who accepted them."""

from __future__ import annotations

from typing import Any

from aims.reports.kinds.base import KindSpec, Params, username, when
from risks import selectors as risks


def _heatmaps(queryset: Any) -> list[dict[str, Any]]:
    criteria = risks.criteria_in_force()
    if criteria is None:
        return []
    out = []
    for kind in ("inherent", "residual"):
        heatmap = risks.heatmap(queryset, kind=kind, criteria=criteria)
        out.append({"kind": kind, "title": heatmap.title, "svg": heatmap.svg, "total": heatmap.total})
    return out


def build_context(params: Params, user: Any) -> dict[str, Any]:
    queryset = risks.risks_for(user).prefetch_related("controls")
    rows, treatments, acceptances = [], [], []
    for risk in queryset:
        rows.append(
            {
                "ref": risk.ref,
                "title": risk.title,
                "system": risk.ai_system.name if risk.ai_system_id else "",
                "source": risk.get_source_title(),
                "owner": username(risk.owner),
                "inherent": f"{risk.inherent_likelihood} x {risk.inherent_impact} = {risk.inherent_score}",
                "inherent_level": risk.get_inherent_level_display(),
                "residual": f"{risk.residual_likelihood} x {risk.residual_impact} = {risk.residual_score}",
                "level": risk.get_level_display(),
                "status": risk.get_effective_status_display(),
                "review_on": risk.review_on,
            }
        )
        actions = [
            {
                "description": a.description,
                "owner": username(a.owner),
                "due_on": a.due_on,
                "status": a.get_status_display(),
                "overdue": a.is_overdue,
            }
            for a in risks.actions_of(risk)
        ]
        if risk.treatment or risk.treatment_plan or actions:
            treatments.append(
                {
                    "ref": risk.ref,
                    "title": risk.title,
                    "option": risk.get_treatment_display(),
                    "plan": risk.treatment_plan,
                    "controls": [c.code for c in risk.controls.all()],
                    "actions": actions,
                }
            )
        for acceptance in risks.acceptances_of(risk, user).order_by("-requested_at"):
            acceptances.append(
                {
                    "ref": risk.ref,
                    "title": risk.title,
                    "level": acceptance.get_level_display(),
                    "acceptor": acceptance.get_acceptor_display(),
                    "state": acceptance.get_state_display(),
                    "expires_on": acceptance.expires_on,
                    "requested_by": username(acceptance.requested_by),
                    "accepted_by": username(acceptance.accepted_by),
                    "accepted_at": when(acceptance.accepted_at),
                    "rationale": acceptance.rationale,
                }
            )
    criteria = risks.criteria_in_force()
    return {
        "sections": [
            {"id": "heatmaps", "title": "Heatmaps"},
            {"id": "register", "title": "Risk register"},
            {"id": "treatment", "title": "Treatment plans"},
            {"id": "acceptance", "title": "Risk acceptance"},
        ],
        "version": f"Risk criteria “{criteria.name}”" if criteria else "",
        "criteria": {"name": criteria.name, "levels": criteria.levels} if criteria else None,
        "heatmaps": _heatmaps(queryset),
        "risks": rows,
        "treatments": treatments,
        "acceptances": acceptances,
    }


KIND = KindSpec(
    key="risks",
    title="Risk register and treatment",
    description="Risks with inherent and residual heatmaps, treatment plans and acceptances.",
    template="reports/pdf/risks.html",
    build_context=build_context,
    permissions=(
        "risks.view_risk",
        "risks.view_riskcriteria",
        "risks.view_treatmentaction",
        "risks.view_riskacceptance",
    ),
)
