"""The demo register of Northwind Financial: believable, across every tier, and idempotent."""

from __future__ import annotations

from aims.accounts import demo as accounts_demo
from aims.governance import demo as governance_demo
from registry import demo, selectors
from registry.choices import ModelApprovalStatus, RiskTier
from registry.models import AISystem, CatalogModel, Supplier, UseCase


def test_the_demo_register_covers_every_tier_and_seeds_once(db) -> None:
    accounts_demo.seed()
    governance_demo.seed()
    first = demo.seed()
    assert first == demo.seed()  # a second run changes nothing
    assert first["ai_systems"] >= 8 and first["use_cases"] >= 12 and first["models"] >= 10
    assert set(AISystem.objects.values_list("risk_tier", flat=True)) == {
        RiskTier.PROHIBITED,
        RiskTier.HIGH,
        RiskTier.LIMITED,
        RiskTier.MINIMAL,
    }
    scoring = AISystem.objects.get(name="CreditLens credit scoring")
    assert scoring.risk_tier == RiskTier.HIGH and "annex_iii:5" in scoring.classification_routes
    assert AISystem.objects.filter(owner__username="owner").count() >= 3
    assert AISystem.objects.filter(gpai_model=True).exists()
    statuses = [m.approval_status for m in CatalogModel.objects.with_approval()]
    assert ModelApprovalStatus.APPROVED in statuses
    assert {ModelApprovalStatus.PENDING, ModelApprovalStatus.REJECTED, ModelApprovalStatus.NOT_REQUESTED} <= set(
        statuses
    )
    assert all(s.assessments.exists() for s in Supplier.objects.all())
    chat = selectors.use_case_policy(UseCase.objects.get(key="retail-chat-assistant"))
    assert chat["allowed_models"] == ["gpt-4o", "gpt-4o-mini"]
    assert all(system.use_cases.exists() for system in AISystem.objects.all())
