"""Every approval follows four eyes and leaves an explicit decision row."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aims.core import services
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed, ServiceError
from aims.core.models import Decision
from tests.factories import DecisionFactory


def test_the_requester_cannot_decide_their_own_request(officer, profile) -> None:
    # Give the officer the committee's permission too: four eyes must hold even for someone who holds both.
    from django.contrib.auth.models import Group

    officer.user.groups.add(Group.objects.get(name="Committee member"))
    decision = services.request_decision(
        kind=DecisionKind.ORGANISATION_PROFILE, subject=profile, version="history:1", requested_by=officer.user
    )
    with pytest.raises(FourEyesViolation):
        services.decide(decision=decision, user=officer.user, approve=True)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING


def test_the_database_refuses_a_self_approved_row(officer, profile) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.APPROVED, decided_by=officer.user, decided_at=timezone.now()
        )


def test_a_committee_member_approves_and_the_row_records_who_what_and_when(officer, committee, profile) -> None:
    decision = services.request_decision(
        kind=DecisionKind.ORGANISATION_PROFILE,
        subject=profile,
        version=profile.version,
        requested_by=officer.user,
        note="Annual confirmation",
    )
    decided = services.decide(decision=decision, user=committee.user, approve=True, rationale="Matches scope.")
    assert decided.status == DecisionStatus.APPROVED
    assert decided.decided_by == committee.user
    assert decided.requested_by == officer.user
    assert decided.subject == profile
    assert decided.subject_version == profile.version
    assert decided.decided_at is not None
    assert decided.rationale == "Matches scope."


def test_a_decided_row_cannot_be_decided_again(officer, committee, committee2) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    services.decide(decision=decision, user=committee.user, approve=True)
    with pytest.raises(Conflict):
        services.decide(decision=decision, user=committee2.user, approve=False, rationale="too late")
    decision.refresh_from_db()
    assert decision.decided_by == committee.user


def test_a_rejection_needs_a_rationale(officer, committee) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    with pytest.raises(ServiceError) as caught:
        services.decide(decision=decision, user=committee.user, approve=False, rationale="  ")
    assert "rationale" in caught.value.fields


def test_only_one_request_per_subject_can_be_pending(officer, officer2, profile) -> None:
    services.request_decision(
        kind=DecisionKind.ORGANISATION_PROFILE, subject=profile, version="history:1", requested_by=officer.user
    )
    with pytest.raises(Conflict):
        services.request_decision(
            kind=DecisionKind.ORGANISATION_PROFILE, subject=profile, version="history:2", requested_by=officer2.user
        )


def test_people_without_the_role_can_neither_request_nor_decide(owner, auditor, officer, profile) -> None:
    with pytest.raises(NotAllowed):
        services.request_decision(
            kind=DecisionKind.ORGANISATION_PROFILE, subject=profile, version="history:1", requested_by=owner.user
        )
    decision = DecisionFactory(requested_by=officer.user)
    for person in (officer, auditor, owner):
        with pytest.raises(NotAllowed):
            services.decide(decision=decision, user=person.user, approve=True)


def test_a_withdrawn_request_can_no_longer_be_approved(officer, committee) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    services.withdraw(decision=decision, user=officer.user)
    with pytest.raises(Conflict):
        services.decide(decision=decision, user=committee.user, approve=True)


def test_the_api_refuses_self_approval_with_the_four_eyes_code(officer, profile) -> None:
    from django.contrib.auth.models import Group

    officer.user.groups.add(Group.objects.get(name="Committee member"))
    decision = DecisionFactory(requested_by=officer.user)
    response = officer.api().post(reverse("api:decision-approve", kwargs={"pk": decision.pk}), {}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "four_eyes"


def test_the_api_answers_409_for_a_decision_already_made(officer, committee, committee2) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    committee.api().post(reverse("api:decision-approve", kwargs={"pk": decision.pk}), {}, format="json")
    response = committee2.api().post(
        reverse("api:decision-reject", kwargs={"pk": decision.pk}), {"rationale": "no"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_the_decision_page_offers_no_decision_to_its_requester(officer, committee) -> None:
    from django.contrib.auth.models import Group

    officer.user.groups.add(Group.objects.get(name="Committee member"))
    decision = DecisionFactory(requested_by=officer.user)
    page = officer.client().get(reverse("core:decision-detail", kwargs={"pk": decision.pk}))
    assert "Four eyes" in page.content.decode()
    assert "Record decision" not in page.content.decode()
    response = officer.client().post(
        reverse("core:decision-decide", kwargs={"pk": decision.pk}), {"decision": "approve"}
    )
    assert response.status_code == 403
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.PENDING
    page = committee.client().get(reverse("core:decision-detail", kwargs={"pk": decision.pk}))
    assert "Record decision" in page.content.decode()


def test_the_committee_rejects_in_the_ui_with_a_rationale(officer, committee) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    missing = committee.client().post(
        reverse("core:decision-decide", kwargs={"pk": decision.pk}), {"decision": "reject", "rationale": ""}
    )
    assert missing.status_code == 400
    response = committee.client().post(
        reverse("core:decision-decide", kwargs={"pk": decision.pk}), {"decision": "reject", "rationale": "Gaps."}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.rationale) == (DecisionStatus.REJECTED, "Gaps.")


def test_the_decision_list_filters_by_status(officer, committee) -> None:
    approved = DecisionFactory(requested_by=officer.user)
    services.decide(decision=approved, user=committee.user, approve=True)
    DecisionFactory(requested_by=officer.user)
    body = committee.api().get(reverse("api:decision-list") + "?status=approved").json()
    assert body["count"] == 1
    assert body["results"][0]["id"] == approved.pk
    page = committee.client().get(reverse("core:decision-list") + "?status=pending")
    assert list(page.context["page"].object_list) != [approved]
