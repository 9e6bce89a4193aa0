"""The generic decisions page and API decide any kind; for risk acceptance and impact-assessment sign-off they
keep the risks app's wider four-eyes rule (nobody who answers for the risk or owns the system decides) and apply
the outcome at once, as the risk pages do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aims.accounts.choices import Role
from aims.core.choices import DecisionStatus
from aims.core.models import Decision
from risks import services
from risks.choices import AssessmentStatus, RiskStatus
from risks.models import ImpactAssessment, Risk
from tests.conftest import _persona
from tests.registry.factories import AISystemFactory
from tests.risks.factories import ImpactAssessmentFactory, ImpactFactory, RiskFactory

FUTURE = timezone.localdate() + timedelta(days=90)


@pytest.fixture
def system_owner_on_committee(db):
    return _persona("owner_on_committee", [Role.OWNER, Role.COMMITTEE])


def _acceptance(people, system_owner) -> Decision:
    risk = RiskFactory(
        ai_system=AISystemFactory(owner=system_owner),
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=3,
        residual_impact=4,
    )
    return services.request_acceptance(risk=risk, user=people["officer"].user, expires_on=FUTURE).decision


def _signoff(people, system_owner) -> Decision:
    assessment = ImpactAssessmentFactory(ai_system=AISystemFactory(owner=system_owner))
    ImpactFactory(assessment=assessment)
    return services.request_signoff(assessment=assessment, user=people["officer"].user)


def _approve_on_the_page(persona, decision):
    url = reverse("core:decision-decide", kwargs={"pk": decision.pk})
    return persona.client().post(url, {"decision": "approve", "rationale": "fine"})


def _approve_through_the_api(persona, decision):
    url = reverse("api:decision-approve", kwargs={"pk": decision.pk})
    return persona.api().post(url, {"rationale": "fine"}, format="json")


CASES = [
    ("acceptance", _acceptance, lambda d: Risk.objects.get(pk=d.subject_id).status, RiskStatus.ACCEPTED),
    (
        "signoff",
        _signoff,
        lambda d: ImpactAssessment.objects.get(pk=d.subject_id).status,
        AssessmentStatus.SIGNED_OFF,
    ),
]


@pytest.mark.parametrize("channel", [_approve_on_the_page, _approve_through_the_api], ids=["page", "api"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_the_system_owner_on_the_committee_cannot_decide_through_the_generic_routes(
    people, system_owner_on_committee, case, channel
) -> None:
    _name, make, state, _approved = case
    decision = make(people, system_owner_on_committee.user)
    before = state(decision)
    response = channel(system_owner_on_committee, decision)
    assert response.status_code == 403
    assert "Four eyes" in response.content.decode()
    row = Decision.objects.get(pk=decision.pk)
    assert row.status == DecisionStatus.PENDING and row.decided_by is None
    assert state(decision) == before


@pytest.mark.parametrize("channel", [_approve_on_the_page, _approve_through_the_api], ids=["page", "api"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c[0])
def test_an_approval_on_the_generic_routes_applies_at_once(people, case, channel) -> None:
    _name, make, state, approved = case
    decision = make(people, people["owner"].user)
    response = channel(people["committee"], decision)
    assert response.status_code in (200, 302)
    assert Decision.objects.get(pk=decision.pk).decided_by == people["committee"].user
    assert state(decision) == approved
