"""The AI system register (ISO/IEC 42001 A.4, A.6, A.9; EU AI Act classification): systems with their owner,
purpose, role, tier, oversight and resources; their use cases; the model catalog; suppliers and assessments."""

from __future__ import annotations

from typing import Any

from aims.reports.kinds.base import KindSpec, Params, username, when
from registry import selectors as registry


def build_context(params: Params, user: Any) -> dict[str, Any]:
    systems = []
    for system in registry.ai_systems_for(user).prefetch_related("suppliers"):
        use_cases = [
            {
                "key": uc.key,
                "name": uc.name,
                "description": uc.description,
                "data_categories": list(uc.data_categories or []),
                "redaction_required": uc.redaction_required,
                "fail_mode": uc.get_fail_mode_display(),
                "active": uc.active,
            }
            for uc in registry.use_cases_for(user).filter(ai_system=system).order_by("key")
        ]
        systems.append(
            {
                "name": system.name,
                "purpose": system.purpose,
                "owner": username(system.owner),
                "business_unit": system.business_unit,
                "lifecycle_stage": system.get_lifecycle_stage_display(),
                "ai_role": system.get_ai_role_display(),
                "deployment": system.get_deployment_display(),
                "status": system.get_status_display(),
                "risk_tier": system.get_risk_tier_display(),
                "classification_rationale": system.classification_rationale,
                "classified_at": when(system.classified_at),
                "human_oversight": system.get_human_oversight_display(),
                "oversight_notes": system.oversight_notes,
                "resources": [
                    ("Data", system.data_resources),
                    ("Tooling", system.tooling_resources),
                    ("Compute", system.compute_resources),
                    ("People", system.human_resources),
                ],
                "suppliers": [s.name for s in system.suppliers.all()],
                "next_review_on": system.next_review_on,
                "use_cases": use_cases,
            }
        )
    models = [
        {
            "provider": m.provider,
            "gateway_name": m.gateway_name,
            "version": m.version,
            "region": m.hosting_region,
            "supplier": m.supplier.name if m.supplier else "",
            "approval": m.get_approval_status_display(),
        }
        for m in registry.catalog_models_for(user).order_by("provider", "gateway_name")
    ]
    suppliers = []
    for supplier in registry.suppliers_for(user):
        latest = registry.assessments_for(user).filter(supplier=supplier).order_by("-assessed_on").first()
        suppliers.append(
            {
                "name": supplier.name,
                "kind": supplier.get_kind_display(),
                "country": supplier.country,
                "critical": supplier.critical,
                "systems": supplier.system_count,
                "assessed_on": latest.assessed_on if latest else None,
                "outcome": latest.get_outcome_display() if latest else "",
                "next_due": latest.next_due if latest else None,
            }
        )
    tiers: dict[str, int] = {}
    for system in systems:
        tiers[system["risk_tier"]] = tiers.get(system["risk_tier"], 0) + 1
    return {
        "sections": [
            {"id": "summary", "title": "Summary"},
            {"id": "systems", "title": "AI systems"},
            {"id": "models", "title": "Model catalog"},
            {"id": "suppliers", "title": "Suppliers"},
        ],
        "systems": systems,
        "tiers": sorted(tiers.items()),
        "use_case_count": sum(len(s["use_cases"]) for s in systems),
        "models": models,
        "suppliers": suppliers,
    }


KIND = KindSpec(
    key="register",
    title="AI system register",
    description="AI systems, use cases, the model catalog and suppliers, with EU AI Act classification.",
    template="reports/pdf/register.html",
    build_context=build_context,
    permissions=(
        "registry.view_aisystem",
        "registry.view_usecase",
        "registry.view_catalogmodel",
        "registry.view_supplier",
        "registry.view_supplierassessment",
    ),
)
