"""Reminders reach risk owners and system owners when a risk or impact assessment review falls due."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from aims.governance import reminders
from tests.risks.factories import ImpactAssessmentFactory, RiskFactory


def test_risk_and_impact_reviews_falling_due_are_reminded_to_their_owners(db) -> None:
    today = timezone.localdate()
    risk = RiskFactory(review_on=today + timedelta(days=2))
    RiskFactory(review_on=today + timedelta(days=300))
    RiskFactory(review_on=today - timedelta(days=5), status="closed")
    assessment = ImpactAssessmentFactory(next_review_on=today - timedelta(days=1))
    due = list(reminders.risk_reviews(today))
    subjects = {d.subject_key for d in due}
    assert f"risk:{risk.pk}" in subjects
    assert f"impactassessment:{assessment.pk}" in subjects
    assert len(due) == 2
    people = {d.user for d in due}
    assert people == {risk.owner, assessment.ai_system.owner}
