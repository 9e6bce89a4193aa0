"""An AI system's page tells its whole story: tier and why, use cases and approved models, risks, impact
assessment, controls and their status, and its live enforcement per use case over the period. Owners see their
own systems only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from controls.choices import CheckOutcome
from controls.models import ControlCheckResult
from evidence.models import SourceNode
from tests.controls.factories import ControlImplementationFactory
from tests.risks.factories import ImpactAssessmentFactory, RiskFactory


def _url(system) -> str:
    return reverse("dashboard:system", kwargs={"pk": system.pk})


@pytest.mark.django_db
def test_the_page_tells_tier_use_cases_models_risks_and_impact(officer, owned_system) -> None:
    RiskFactory(ai_system=owned_system, title="Wrong answers about refunds")
    ImpactAssessmentFactory(ai_system=owned_system)
    response = officer.client().get(_url(owned_system))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Limited risk (Art. 50 transparency)" in html
    assert "Interacts with people: Art. 50(1) transparency." in html
    assert response.context["use_case_rows"][0]["models"] == ["gpt-4o-mini"]
    assert [r.title for r in response.context["risks"]] == ["Wrong answers about refunds"]
    assert response.context["impact"].assessment is not None
    assert f"?ai_system={owned_system.pk}" in response.context["risks_url"]


@pytest.mark.django_db
def test_controls_of_the_system_show_their_status(officer, owned_system) -> None:
    operating = ControlImplementationFactory(code="CTL-RED", name="Redaction at the gateway")
    operating.use_cases.add(owned_system.use_cases.get())
    failing = ControlImplementationFactory(code="CTL-ALLOW", name="Model allow-list")
    failing.ai_systems.add(owned_system)
    ControlImplementationFactory(code="CTL-OTHER")  # names neither: not shown
    now = timezone.now()
    for implementation, outcome in ((operating, CheckOutcome.PASS), (failing, CheckOutcome.FAIL)):
        ControlCheckResult.objects.create(
            implementation=implementation,
            period_start=now - timedelta(days=1),
            period_end=now,
            metric="M-TEST",
            value=0,
            target="= 0",
            outcome=outcome,
            source="automated:test",
        )
    controls = officer.client().get(_url(owned_system)).context["controls"]
    assert [(c["implementation"].code, c["status"].value) for c in controls] == [
        ("CTL-ALLOW", "failing"),
        ("CTL-RED", "operating"),
    ]


@pytest.mark.django_db
def test_enforcement_per_use_case_comes_from_the_rollups(officer, owned_system, others_system, traffic) -> None:
    from tests.dashboard.factories import rollup

    rollup(traffic["source"], timezone.now().date(), use_case="credit-scoring", events=500)  # another system's
    SourceNode.objects.create(
        source=traffic["source"], node_id="gw-1", first_seen_at=timezone.now(), last_seen_at=timezone.now()
    )
    enforcement = officer.client().get(_url(owned_system)).context["enforcement"]
    assert enforcement["figures"].total == 105
    row = enforcement["per_use_case"][0]
    assert row["use_case"].key == "support-chat"
    assert [(s.key, n) for s, n in row["outcomes"]] == [("allow", 80), ("redact", 20), ("block", 4), ("error", 1)]
    assert row["unapproved_blocked"] == 4 and row["unapproved_allowed"] == 0
    assert [s["source"] for s in row["sources"]] == ["litellm-prod"]
    assert "use_case=support-chat" in row["explorer"]
    assert enforcement["figures"].redactions == [("EMAIL_ADDRESS", 5), ("PHONE_NUMBER", 3)]


@pytest.mark.django_db
def test_an_owner_sees_the_page_of_their_own_system_only(owner, owned_system, others_system) -> None:
    client = owner.client()
    assert client.get(_url(owned_system)).status_code == 200
    assert client.get(_url(others_system)).status_code == 403


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("officer", 200),
        ("committee", 200),
        ("auditor", 200),
        ("outsider", 403),
        ("expired_auditor", 302),
        ("anonymous", 302),
    ],
)
@pytest.mark.django_db
def test_who_may_open_a_system_page(request, owned_system, name, status) -> None:
    persona = request.getfixturevalue(name)
    assert persona.client().get(_url(owned_system)).status_code == status


@pytest.mark.django_db
def test_an_unknown_system_is_404_and_a_bad_period_400(officer, owned_system) -> None:
    client = officer.client()
    assert client.get(reverse("dashboard:system", kwargs={"pk": 999999})).status_code == 404
    response = client.get(_url(owned_system), {"from": "2026-03-01", "to": "2026-02-01"})
    assert response.status_code == 400
    assert "must not be after its end" in response.content.decode()
