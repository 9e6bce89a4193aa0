"""Four eyes on every decision (DESIGN.md): whoever asked for a decision cannot approve or reject it.

One row per DecisionKind: how the real service opens the request, how the app decides it, the app's own page
and API (where it has them), and what state of the subject the decision moves. Every row is run through the
service, the app's page and API, and the generic decision page and API, which decide any kind. The requester is
the chair, who holds the officer's and the committee's roles: only the four-eyes rule stops them. A new kind
fails `test_every_decision_kind_has_a_row` until it has a row here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aims.core import services as core_services
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation
from aims.core.models import Decision
from aims.governance import services as governance_services
from aims.governance.models import DocumentVersion, ManagementReview, OrganisationProfile
from controls import services as controls_services
from controls.models import SoAVersion
from policies import selectors as policies_selectors
from policies import services as policies_services
from policies.models import PolicyBundle
from registry import services as registry_services
from registry.models import CatalogModel
from risks import services as risks_services
from risks.models import ImpactAssessment, Risk
from tests.conftest import Persona
from tests.governance.factories import DocumentVersionFactory, ManagementReviewFactory
from tests.registry.factories import AISystemFactory, CatalogModelFactory
from tests.risks.factories import ImpactAssessmentFactory, ImpactFactory, RiskFactory

FUTURE = timezone.localdate() + timedelta(days=180)


@dataclass(frozen=True)
class Kind:
    """How one kind of decision is asked for, decided and seen."""

    kind: DecisionKind
    request: Callable[[dict[str, Persona]], Decision]  # the real service, as the chair
    decide: Callable[[Decision, Any, bool], Any]  # the app's own decide path (the core service if none)
    state: Callable[[Decision], Any]  # what the decision moves in its subject, read back from the database
    page: Callable[[Decision], str] | None = None  # the app's own decide page
    page_data: dict[str, str] | None = None
    api: Callable[[Decision], str] | None = None  # the app's own approve route
    api_data: dict[str, Any] | None = None

    def __str__(self) -> str:
        return str(self.kind)


def _subject(decision: Decision) -> Any:
    return decision.subject_type.model_class().objects.get(pk=decision.subject_id)


def _core_decide(decision: Decision, user: Any, approve: bool) -> Any:
    return core_services.decide(decision=decision, user=user, approve=approve, rationale="Because.")


# --- how each kind is requested -------------------------------------------------------------------------------


def _request_profile(people: dict[str, Persona]) -> Decision:
    profile = OrganisationProfile.objects.get()
    return governance_services.request_profile_approval(profile=profile, user=people["chair"].user, note="please")


def _request_model(people: dict[str, Persona]) -> Decision:
    model = CatalogModelFactory()
    return registry_services.request_model_approval(model=model, user=people["chair"].user, note="please")


def _request_soa(people: dict[str, Persona]) -> Decision:
    return controls_services.request_soa_approval(user=people["chair"].user, note="please").decision


def _request_bundle(people: dict[str, Persona]) -> Decision:
    bundle = policies_services.request_publication(user=people["chair"].user, note="please")
    return policies_services.pending_decision(bundle)


def _high_risk(people: dict[str, Persona]) -> Risk:
    system = AISystemFactory(owner=people["owner"].user)
    return RiskFactory(
        ai_system=system,
        owner=people["owner"].user,
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=3,
        residual_impact=4,
    )


def _request_acceptance(people: dict[str, Persona]) -> Decision:
    risk = _high_risk(people)
    acceptance = risks_services.request_acceptance(risk=risk, user=people["chair"].user, expires_on=FUTURE)
    return acceptance.decision


def _request_signoff(people: dict[str, Persona]) -> Decision:
    assessment = ImpactAssessmentFactory(ai_system=AISystemFactory(owner=people["owner"].user))
    ImpactFactory(assessment=assessment)
    return risks_services.request_signoff(assessment=assessment, user=people["chair"].user, note="please")


def _request_document(people: dict[str, Persona]) -> Decision:
    version = DocumentVersionFactory()
    return governance_services.request_document_approval(version=version, user=people["chair"].user, note="please")


def _request_closure(people: dict[str, Persona]) -> Decision:
    review = ManagementReviewFactory(decisions="Keep the AIMS as it is.")
    return governance_services.request_review_closure(review=review, user=people["chair"].user, note="please")


# --- how each app decides -------------------------------------------------------------------------------------


def _decide_model(decision: Decision, user: Any, approve: bool) -> Any:
    return registry_services.decide_model(decision=decision, user=user, approve=approve, rationale="Because.")


def _decide_soa(decision: Decision, user: Any, approve: bool) -> Any:
    return controls_services.decide_soa(decision=decision, user=user, approve=approve, rationale="Because.")


def _decide_bundle(decision: Decision, user: Any, approve: bool) -> Any:
    bundle = PolicyBundle.objects.get(pk=decision.subject_id)
    return policies_services.decide_publication(bundle=bundle, user=user, approve=approve, rationale="Because.")


def _decide_acceptance(decision: Decision, user: Any, approve: bool) -> Any:
    risk = Risk.objects.get(pk=decision.subject_id)
    return risks_services.decide_acceptance(risk=risk, user=user, approve=approve, rationale="Because.")


def _decide_signoff(decision: Decision, user: Any, approve: bool) -> Any:
    assessment = ImpactAssessment.objects.get(pk=decision.subject_id)
    return risks_services.decide_signoff(assessment=assessment, user=user, approve=approve, rationale="Because.")


def _pk_url(name: str) -> Callable[[Decision], str]:
    return lambda decision: reverse(name, kwargs={"pk": decision.subject_id})


APPROVE_FORM = {"decision": "approve", "rationale": "Looks right."}

KINDS: list[Kind] = [
    Kind(
        DecisionKind.ORGANISATION_PROFILE,
        request=_request_profile,
        decide=_core_decide,
        state=lambda d: Decision.objects.filter(
            subject_id=d.subject_id, kind=d.kind, status=DecisionStatus.APPROVED
        ).count(),
    ),
    Kind(
        DecisionKind.MODEL_APPROVAL,
        request=_request_model,
        decide=_decide_model,
        state=lambda d: CatalogModel.objects.with_approval().get(pk=d.subject_id).approval_status,
        page=_pk_url("registry:model-decide"),
        page_data=APPROVE_FORM,
        api=_pk_url("api:registry-model-approve"),
        api_data={"rationale": "Looks right."},
    ),
    Kind(
        DecisionKind.SOA_VERSION,
        request=_request_soa,
        decide=_decide_soa,
        state=lambda d: SoAVersion.objects.get(pk=d.subject_id).number,
        page=lambda d: reverse("controls:soa-decide"),
        page_data=APPROVE_FORM,
        api=lambda d: reverse("api:soa-approve"),
        api_data={"rationale": "Looks right."},
    ),
    Kind(
        DecisionKind.POLICY_BUNDLE,
        request=_request_bundle,
        decide=_decide_bundle,
        state=lambda d: getattr(policies_selectors.current_bundle(), "pk", None),
        page=_pk_url("policies:bundle-decide"),
        page_data=APPROVE_FORM,
    ),
    Kind(
        DecisionKind.RISK_ACCEPTANCE,
        request=_request_acceptance,
        decide=_decide_acceptance,
        state=lambda d: Risk.objects.get(pk=d.subject_id).status,
        page=_pk_url("risks:risk-accept"),
        page_data={**APPROVE_FORM, "expires_on": ""},
        api=_pk_url("api:risk-accept"),
        api_data={"rationale": "Looks right."},
    ),
    Kind(
        DecisionKind.IMPACT_ASSESSMENT,
        request=_request_signoff,
        decide=_decide_signoff,
        state=lambda d: ImpactAssessment.objects.get(pk=d.subject_id).status,
        page=_pk_url("risks:ia-signoff"),
        page_data=APPROVE_FORM,
        api=_pk_url("api:impact-assessment-signoff"),
        api_data={"rationale": "Looks right."},
    ),
    Kind(
        DecisionKind.DOCUMENT_APPROVAL,
        request=_request_document,
        decide=_core_decide,
        state=lambda d: DocumentVersion.objects.get(pk=d.subject_id).status,
    ),
    Kind(
        DecisionKind.REVIEW_CLOSURE,
        request=_request_closure,
        decide=_core_decide,
        state=lambda d: ManagementReview.objects.get(pk=d.subject_id).status,
    ),
]


def test_every_decision_kind_has_a_row() -> None:
    assert sorted(k.kind for k in KINDS) == sorted(DecisionKind.values)


def _assert_still_pending(decision: Decision, state_before: Any, kind: Kind) -> None:
    row = Decision.objects.get(pk=decision.pk)
    assert row.status == DecisionStatus.PENDING
    assert row.decided_by is None and row.decided_at is None
    assert kind.state(decision) == state_before


@pytest.fixture(params=KINDS, ids=str)
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param


@pytest.fixture
def requested(kind: Kind, people: dict[str, Persona]) -> tuple[Decision, Any]:
    decision = kind.request(people)
    assert decision.kind == kind.kind
    assert decision.status == DecisionStatus.PENDING
    return decision, kind.state(decision)


# --- the requester is refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
def test_the_requester_cannot_decide_through_the_service(kind, requested, people, approve) -> None:
    decision, before = requested
    chair = people["chair"].user
    for decide in {kind.decide, _core_decide}:
        with pytest.raises(FourEyesViolation):
            decide(decision, chair, approve)
        _assert_still_pending(decision, before, kind)


def test_the_requester_cannot_decide_on_the_pages(kind, requested, people) -> None:
    decision, before = requested
    client = people["chair"].client()
    pages = [(reverse("core:decision-decide", kwargs={"pk": decision.pk}), APPROVE_FORM)]
    if kind.page is not None:
        pages.append((kind.page(decision), kind.page_data))
    for url, data in pages:
        for verdict in ("approve", "reject"):
            response = client.post(url, {**data, "decision": verdict, "rationale": "Mine."})
            assert response.status_code == 403, f"{url}: {response.status_code}"
            assert "Four eyes" in response.content.decode(), url
            _assert_still_pending(decision, before, kind)


def test_the_requester_cannot_decide_through_the_api(kind, requested, people) -> None:
    decision, before = requested
    api = people["chair"].api()
    routes = [
        (reverse("api:decision-approve", kwargs={"pk": decision.pk}), {"rationale": "Mine."}),
        (reverse("api:decision-reject", kwargs={"pk": decision.pk}), {"rationale": "Mine."}),
    ]
    if kind.api is not None:
        routes.append((kind.api(decision), kind.api_data))
    for url, body in routes:
        response = api.post(url, body, format="json")
        assert response.status_code == 403, f"{url}: {response.status_code}"
        assert response.json()["error"]["code"] == "four_eyes", url
        assert "Four eyes" in response.json()["error"]["message"]
        _assert_still_pending(decision, before, kind)


# --- a second eligible person decides -------------------------------------------------------------------------


def _approve_by_service(kind: Kind, decision: Decision, people: dict[str, Persona]) -> None:
    kind.decide(decision, people["committee2"].user, True)


def _approve_on_the_page(kind: Kind, decision: Decision, people: dict[str, Persona]) -> None:
    url = kind.page(decision) if kind.page else reverse("core:decision-decide", kwargs={"pk": decision.pk})
    response = people["committee2"].client().post(url, kind.page_data or APPROVE_FORM)
    assert response.status_code == 302, response.status_code


def _approve_through_the_api(kind: Kind, decision: Decision, people: dict[str, Persona]) -> None:
    if kind.api is not None:
        url, body = kind.api(decision), kind.api_data
    else:
        url, body = reverse("api:decision-approve", kwargs={"pk": decision.pk}), {"rationale": "Looks right."}
    response = people["committee2"].api().post(url, body, format="json")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "approve", [_approve_by_service, _approve_on_the_page, _approve_through_the_api], ids=["service", "page", "api"]
)
def test_a_second_committee_member_approves_and_the_row_records_who_what_when_and_which_version(
    kind, requested, people, approve
) -> None:
    decision, before = requested
    version = decision.subject_version
    started = timezone.now()
    approve(kind, decision, people)
    row = Decision.objects.get(pk=decision.pk)
    assert row.status == DecisionStatus.APPROVED
    assert row.kind == kind.kind
    assert row.requested_by == people["chair"].user
    assert row.decided_by == people["committee2"].user
    assert row.decided_at is not None and row.decided_at >= started
    assert row.subject_version == version and version
    assert str(row.subject_id) == str(_subject(decision).pk)
    assert kind.state(decision) != before, "approving changed nothing in the subject"


# --- the database refuses it too ------------------------------------------------------------------------------


def test_the_database_refuses_a_decision_by_its_requester(kind, requested) -> None:
    decision, _before = requested
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.APPROVED, decided_by=decision.requested_by, decided_at=timezone.now()
        )
    row = Decision.objects.get(pk=decision.pk)
    row.status, row.decided_by, row.decided_at = DecisionStatus.APPROVED, row.requested_by, timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.PENDING


# --- withdrawn requests stay withdrawn ------------------------------------------------------------------------


def test_a_withdrawn_request_cannot_be_approved(kind, requested, people) -> None:
    decision, _before = requested
    core_services.withdraw(decision=decision, user=people["chair"].user)
    decision.refresh_from_db()
    withdrawn = kind.state(decision)
    with pytest.raises(Conflict):
        kind.decide(decision, people["committee2"].user, True)
    with pytest.raises(Conflict):
        _core_decide(decision, people["committee2"].user, True)
    response = (
        people["committee2"]
        .api()
        .post(reverse("api:decision-approve", kwargs={"pk": decision.pk}), {"rationale": "Late."}, format="json")
    )
    assert response.status_code == 409
    row = Decision.objects.get(pk=decision.pk)
    assert row.status == DecisionStatus.WITHDRAWN
    assert row.decided_by is None
    assert kind.state(decision) == withdrawn
