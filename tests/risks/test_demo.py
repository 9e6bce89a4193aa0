"""The demo risk register: enough risks across the demo systems, acceptances, and impact assessments."""

from __future__ import annotations

from aims.accounts import demo as accounts_demo
from registry import demo as registry_demo
from registry.models import AISystem
from risks import demo
from risks.models import ImpactAssessment, Risk, RiskAcceptance


def test_the_demo_seeds_risks_acceptances_and_assessments_idempotently(db) -> None:
    accounts_demo.seed()
    registry_demo.seed()
    demo.seed()
    assert Risk.objects.count() >= 20
    assert Risk.objects.filter(ai_system__isnull=True).exists()
    assert Risk.objects.exclude(treatment="").count() >= 20
    assert Risk.objects.filter(actions__isnull=False).distinct().count() >= 10
    accepted = [r for r in Risk.objects.filter(status="accepted") if r.effective_status == "accepted"]
    expired = [r for r in Risk.objects.filter(status="accepted") if r.acceptance_expired]
    assert accepted and expired
    assert RiskAcceptance.objects.filter(acceptor="committee", decision__status="approved").exists()
    for system in AISystem.objects.filter(risk_tier__in=["high", "limited"]):
        assert ImpactAssessment.objects.filter(ai_system=system).exists(), system
    assert ImpactAssessment.objects.filter(status="review_due").exists()
    counts = (Risk.objects.count(), ImpactAssessment.objects.count())
    demo.seed()
    assert (Risk.objects.count(), ImpactAssessment.objects.count()) == counts
