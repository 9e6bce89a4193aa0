"""The management review's automatic inputs, read against the demo organisation every app seeds."""

from __future__ import annotations

from django.utils import timezone

from aims.accounts import demo as accounts_demo
from aims.accounts.models import User
from aims.governance import demo as governance_demo
from aims.governance import services
from controls import demo as controls_demo
from controls import selectors as control_selectors
from controls.models import SoAEntry
from evidence import demo as evidence_demo
from policies import demo as policies_demo
from registry import demo as registry_demo
from risks import demo as risks_demo
from risks.models import ImpactAssessment, Risk


def test_a_review_of_the_demo_organisation_reports_what_the_records_hold(db) -> None:
    for demo in (
        accounts_demo,
        registry_demo,
        controls_demo,
        risks_demo,
        evidence_demo,
        policies_demo,
        governance_demo,
    ):
        demo.seed()
    officer = User.objects.get(username="officer")

    review = services.create_management_review(user=officer, title="Demo review", held_on=timezone.localdate())

    inputs = review.inputs
    risks = inputs["risk_summary"]
    assert risks["available"] is True
    assert risks["risks"] == Risk.objects.count() >= 20
    assert risks["impact_assessments"] == ImpactAssessment.objects.count() > 0
    soa = inputs["soa_and_controls"]
    assert soa["soa_entries"] == SoAEntry.objects.count() >= 38
    expected = {}
    for row in control_selectors.soa_rows(SoAEntry.objects.all()):
        expected[str(row.status)] = expected.get(str(row.status), 0) + 1
    assert soa["controls_by_status"] == dict(sorted(expected.items()))
    assert sum(soa["controls_by_status"].values()) == soa["soa_entries"]
    assert {"operating", "failing"} <= set(soa["controls_by_status"])
    assert [s["source"] for s in inputs["evidence_health"]["sources"]] == ["litellm-eu-prod", "litellm-us-prod"]
