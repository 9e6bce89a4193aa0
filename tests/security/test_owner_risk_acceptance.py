"""A system owner puts a residual risk of their own system up for the committee's acceptance; only the committee
decides it, and nobody who answers for the risk (ISO/IEC 42001 6.1.3 e; risks/roles.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import FourEyesViolation, NotAllowed
from aims.core.models import Decision
from risks import services
from risks.choices import RiskStatus
from risks.models import Risk
from tests.registry.factories import AISystemFactory
from tests.risks.factories import RiskFactory

FUTURE = timezone.localdate() + timedelta(days=90)


def _high_risk(system_owner, **extra) -> Risk:
    """Residual 3 x 4: above the owner's threshold under the default criteria, so the committee accepts it."""
    return RiskFactory(
        ai_system=AISystemFactory(owner=system_owner),
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=3,
        residual_impact=4,
        **extra,
    )


@pytest.fixture
def own_risk(people) -> Risk:
    return _high_risk(people["owner"].user, owner=people["owner"].user)


@pytest.fixture
def others_risk(people) -> Risk:
    return _high_risk(people["owner2"].user, owner=people["owner2"].user)


def test_the_owner_requests_acceptance_of_a_risk_of_their_system_through_the_service(people, own_risk) -> None:
    acceptance = services.request_acceptance(risk=own_risk, user=people["owner"].user, expires_on=FUTURE, note="ok")
    decision = acceptance.decision
    assert decision.kind == DecisionKind.RISK_ACCEPTANCE
    assert decision.status == DecisionStatus.PENDING
    assert decision.requested_by == people["owner"].user
    assert Risk.objects.get(pk=own_risk.pk).status == RiskStatus.ACCEPTANCE_PENDING


def test_the_owner_requests_on_the_page_and_the_page_offers_it(people, own_risk) -> None:
    client = people["owner"].client()
    detail = client.get(reverse("risks:risk-detail", args=[own_risk.pk])).content.decode()
    assert reverse("risks:risk-request-acceptance", args=[own_risk.pk]) in detail
    response = client.post(reverse("risks:risk-request-acceptance", args=[own_risk.pk]), {"expires_on": FUTURE})
    assert response.status_code == 302
    assert Decision.objects.get(kind=DecisionKind.RISK_ACCEPTANCE).requested_by == people["owner"].user


def test_the_owner_requests_through_the_api(people, own_risk) -> None:
    response = (
        people["owner"]
        .api()
        .post(reverse("api:risk-request-acceptance", args=[own_risk.pk]), {"expires_on": FUTURE}, format="json")
    )
    assert response.status_code == 201, response.content
    decision = Decision.objects.get(pk=response.json()["id"])
    assert decision.requested_by == people["owner"].user
    assert decision.status == DecisionStatus.PENDING


def test_an_owner_cannot_request_acceptance_of_another_owners_risk(people, others_risk) -> None:
    with pytest.raises(NotAllowed):
        services.request_acceptance(risk=others_risk, user=people["owner"].user, expires_on=FUTURE)
    page = people["owner"].client().get(reverse("risks:risk-detail", args=[others_risk.pk])).content.decode()
    assert reverse("risks:risk-request-acceptance", args=[others_risk.pk]) not in page
    url = reverse("risks:risk-request-acceptance", args=[others_risk.pk])
    assert people["owner"].client().post(url, {"expires_on": FUTURE}).status_code == 403
    api = people["owner"].api()
    body = {"expires_on": FUTURE}
    response = api.post(reverse("api:risk-request-acceptance", args=[others_risk.pk]), body, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert not Decision.objects.exists()
    assert Risk.objects.get(pk=others_risk.pk).status != RiskStatus.ACCEPTANCE_PENDING


@pytest.mark.parametrize("name", ["committee", "auditor"])
def test_readers_without_the_right_cannot_request_acceptance(people, own_risk, name) -> None:
    with pytest.raises(NotAllowed):
        services.request_acceptance(risk=own_risk, user=people[name].user, expires_on=FUTURE)
    response = (
        people[name]
        .api()
        .post(reverse("api:risk-request-acceptance", args=[own_risk.pk]), {"expires_on": FUTURE}, format="json")
    )
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_the_requesting_owner_cannot_decide_and_a_committee_member_can(people, own_risk) -> None:
    acceptance = services.request_acceptance(risk=own_risk, user=people["owner"].user, expires_on=FUTURE)
    with pytest.raises(NotAllowed):
        services.decide_acceptance(risk=own_risk, user=people["owner"].user, approve=True, rationale="mine")
    response = (
        people["owner"].api().post(reverse("api:risk-accept", args=[own_risk.pk]), {"rationale": "x"}, format="json")
    )
    assert response.status_code == 403
    assert Decision.objects.get(pk=acceptance.decision_id).status == DecisionStatus.PENDING
    services.decide_acceptance(risk=own_risk, user=people["committee"].user, approve=True, rationale="Within appetite")
    decision = Decision.objects.get(pk=acceptance.decision_id)
    assert decision.status == DecisionStatus.APPROVED
    assert decision.requested_by == people["owner"].user
    assert decision.decided_by == people["committee"].user
    risk = Risk.objects.get(pk=own_risk.pk)
    assert risk.status == RiskStatus.ACCEPTED
    assert risk.accepted_until == FUTURE


def test_a_committee_member_who_owns_the_system_cannot_accept_its_risk(people, own_risk) -> None:
    from aims.accounts.choices import Role
    from tests.conftest import _persona

    both = _persona("owner_on_committee", [Role.OWNER, Role.COMMITTEE])
    risk = _high_risk(both.user, owner=both.user)
    services.request_acceptance(risk=risk, user=people["officer"].user, expires_on=FUTURE)
    with pytest.raises(FourEyesViolation):
        services.decide_acceptance(risk=risk, user=both.user, approve=True, rationale="mine")
    response = both.api().post(reverse("api:risk-accept", args=[risk.pk]), {"rationale": "mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "four_eyes"
    assert Risk.objects.get(pk=risk.pk).status == RiskStatus.ACCEPTANCE_PENDING
