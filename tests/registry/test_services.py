"""Register services: who may change what, history, material changes, and model approval from decision rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.core import services as core_services
from aims.core.choices import DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed, ServiceError
from registry import selectors, services
from registry.choices import ModelApprovalStatus, RiskTier
from registry.models import AISystem, CatalogModel
from tests.registry.factories import CatalogModelFactory, UseCaseFactory, pending_model_decision

SYSTEM = {
    "name": "Mortgage pricing",
    "purpose": "Prices mortgage offers.",
    "business_unit": "Retail Lending",
    "ai_role": "deployer",
    "deployment": "vendor_saas",
    "next_review_on": date(2027, 3, 31),
    "human_oversight": "in_the_loop",
}


def test_an_officer_registers_a_system_with_history(officer, owner) -> None:
    system = services.create_ai_system(user=officer.user, reason="New vendor tool", owner=owner.user, **SYSTEM)
    record = system.history.get()
    assert record.history_user == officer.user
    assert record.history_change_reason == "New vendor tool"
    assert system.risk_tier == RiskTier.UNCLASSIFIED


def test_an_owner_cannot_register_a_system(owner) -> None:
    with pytest.raises(NotAllowed):
        services.create_ai_system(user=owner.user, owner=owner.user, **SYSTEM)


def test_an_owner_changes_their_own_system(owner, own_system) -> None:
    change = services.update_ai_system(system=own_system, user=owner.user, business_unit="Consumer Lending")
    assert change.obj.business_unit == "Consumer Lending"
    assert not change.material


def test_an_owner_cannot_change_someone_elses_system(owner, other_system) -> None:
    with pytest.raises(NotAllowed):
        services.update_ai_system(system=other_system, user=owner.user, business_unit="Mine now")
    other_system.refresh_from_db()
    assert other_system.business_unit == "Retail Lending"


def test_an_owner_cannot_hand_their_system_to_someone_else(owner, officer, own_system) -> None:
    with pytest.raises(NotAllowed):
        services.update_ai_system(system=own_system, user=owner.user, owner=officer.user)


def test_the_committee_and_auditors_change_nothing(committee, auditor, own_system) -> None:
    for persona in (committee, auditor):
        with pytest.raises(NotAllowed):
            services.update_ai_system(system=own_system, user=persona.user, purpose="x")


def test_a_changed_purpose_is_a_material_change(officer, own_system) -> None:
    change = services.update_ai_system(system=own_system, user=officer.user, purpose="Scores SME loans too.")
    assert change.material.system_ids == {own_system.pk}
    assert "purpose" in change.material.reasons[0]


def test_a_duplicate_name_is_refused_against_its_field(officer, owner, own_system) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_ai_system(user=officer.user, owner=owner.user, **{**SYSTEM, "name": own_system.name})
    assert "name" in caught.value.message_dict


def test_classifying_stores_answers_tier_and_rationale_and_reclassifies_in_history(owner, own_system) -> None:
    first = services.classify_ai_system(system=own_system, user=owner.user, answers={"transparency_duties": ["50(1)"]})
    assert first.obj.risk_tier == RiskTier.LIMITED
    assert first.material  # unclassified -> limited
    second = services.classify_ai_system(
        system=own_system, user=owner.user, answers={"annex_iii_areas": ["5"], "profiling": True}
    )
    system = AISystem.objects.get(pk=own_system.pk)
    assert system.risk_tier == RiskTier.HIGH
    assert system.classification_answers["annex_iii_areas"] == ["5"]
    assert system.classification_routes == ["6(2)", "annex_iii:5"]
    assert "Annex III area 5" in system.classification_rationale
    assert system.classified_by == owner.user
    assert second.material.reasons == (f"{system}: tier limited → high",)
    reasons = list(system.history.values_list("history_change_reason", flat=True))
    assert "Reclassified limited → high" in reasons
    diff = selectors.history_of(system)[0]["changes"]
    assert {"field": "risk tier", "old": "Limited risk (Art. 50 transparency)", "new": "High-risk (Art. 6)"} in diff


def test_the_same_tier_again_is_no_material_change(officer, own_system) -> None:
    services.classify_ai_system(system=own_system, user=officer.user, answers={})
    again = services.classify_ai_system(system=own_system, user=officer.user, answers={"annex_i_product": True})
    assert not again.material


def test_invalid_answers_are_refused_by_field(officer, own_system) -> None:
    with pytest.raises(ServiceError) as caught:
        services.classify_ai_system(system=own_system, user=officer.user, answers={"annex_iii_areas": ["12"]})
    assert "annex_iii_areas" in caught.value.fields


def test_an_owner_adds_and_changes_use_cases_of_their_own_system_only(owner, own_system, other_use_case) -> None:
    use_case = services.create_use_case(
        ai_system=own_system, user=owner.user, key="sme-scoring", name="SME scoring", pii_policy={"IBAN_CODE": "hash"}
    )
    services.update_use_case(use_case=use_case, user=owner.user, fail_mode="open")
    with pytest.raises(NotAllowed):
        services.update_use_case(use_case=other_use_case, user=owner.user, fail_mode="open")
    with pytest.raises(NotAllowed):
        services.create_use_case(ai_system=other_use_case.ai_system, user=owner.user, key="x", name="x")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": "Not A Slug"}, "key"),
        ({"pii_policy": {"EMAIL_ADDRESS": "shred"}}, "pii_policy"),
        ({"pii_policy": {"PASSPORT": "mask"}}, "pii_policy"),
        ({"pii_policy": {}, "redaction_required": True}, "pii_policy"),
        ({"data_categories": ["gossip"]}, "data_categories"),
        ({"fail_mode": "sideways"}, "fail_mode"),
    ],
)
def test_use_case_rules_are_checked_by_field(officer, own_system, fields: dict, field: str) -> None:
    data = {"key": "valid-key", "name": "Name", "pii_policy": {"EMAIL_ADDRESS": "mask"}, **fields}
    with pytest.raises(ValidationError) as caught:
        services.create_use_case(ai_system=own_system, user=officer.user, **data)
    assert field in caught.value.message_dict


def test_a_use_case_key_is_unique(officer, own_use_case, other_system) -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_use_case(
            ai_system=other_system, user=officer.user, key=own_use_case.key, name="Again", redaction_required=False
        )
    assert "key" in caught.value.message_dict


def test_gateway_names_are_unique_per_provider(officer) -> None:
    services.create_catalog_model(
        user=officer.user, provider="OpenAI", gateway_name="gpt-4o-mini", hosting_region="US"
    )
    services.create_catalog_model(
        user=officer.user, provider="Azure OpenAI", gateway_name="gpt-4o-mini", hosting_region="EU"
    )
    with pytest.raises(ValidationError):
        services.create_catalog_model(
            user=officer.user, provider="OpenAI", gateway_name="gpt-4o-mini", hosting_region="EU"
        )


def _status(model: CatalogModel) -> str:
    return CatalogModel.objects.with_approval().get(pk=model.pk).approval_status


def test_a_model_is_approved_by_a_second_person_and_reaches_the_allow_list(
    officer, committee, catalog_model, own_use_case
) -> None:
    assert _status(catalog_model) == ModelApprovalStatus.NOT_REQUESTED
    assert selectors.use_case_policy(own_use_case)["allowed_models"] == []
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    assert _status(catalog_model) == ModelApprovalStatus.PENDING
    change = services.approve_model(decision=decision, user=committee.user, rationale="EU hosting")
    assert _status(catalog_model) == ModelApprovalStatus.APPROVED
    assert change.material.system_ids == {own_use_case.ai_system_id}
    assert selectors.use_case_policy(own_use_case)["allowed_models"] == ["gpt-4o-mini"]
    annotated = selectors.with_approvers([CatalogModel.objects.with_approval().get(pk=catalog_model.pk)])[0]
    assert annotated.approved_by == committee.user


def test_the_requester_cannot_approve_their_own_request(officer, catalog_model) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    with pytest.raises(NotAllowed):  # officers lack decide_decision; the four-eyes check is next
        services.approve_model(decision=decision, user=officer.user)


def test_four_eyes_holds_even_for_a_committee_member_who_requested(committee, committee2, catalog_model) -> None:
    decision = pending_model_decision(catalog_model, committee.user)
    with pytest.raises(FourEyesViolation):
        services.approve_model(decision=decision, user=committee.user)
    services.approve_model(decision=decision, user=committee2.user)
    assert _status(catalog_model) == ModelApprovalStatus.APPROVED


def test_approving_through_the_generic_decisions_endpoint_approves_the_model_too(
    officer, committee, catalog_model
) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    response = committee.api().post(
        reverse("api:decision-approve", kwargs={"pk": decision.pk}), {"rationale": "fine"}, format="json"
    )
    assert response.status_code == 200
    assert _status(catalog_model) == ModelApprovalStatus.APPROVED
    assert CatalogModel.objects.approved().filter(pk=catalog_model.pk).exists()


def test_a_rejected_or_withdrawn_request_leaves_the_model_unapproved(officer, committee, catalog_model) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    core_services.withdraw(decision=decision, user=officer.user)
    assert _status(catalog_model) == ModelApprovalStatus.NOT_REQUESTED
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    services.reject_model(decision=decision, user=committee.user, rationale="US hosting")
    assert _status(catalog_model) == ModelApprovalStatus.REJECTED
    assert not CatalogModel.objects.approved().exists()


def test_a_rejection_needs_a_rationale(officer, committee, catalog_model) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    with pytest.raises(ServiceError):
        services.reject_model(decision=decision, user=committee.user, rationale=" ")


def test_changing_what_was_approved_withdraws_the_approval(officer, committee, catalog_model, own_use_case) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    services.approve_model(decision=decision, user=committee.user)
    harmless = services.update_catalog_model(model=catalog_model, user=officer.user, description="Fast and cheap.")
    assert not harmless.material
    assert _status(catalog_model) == ModelApprovalStatus.APPROVED
    change = services.update_catalog_model(model=catalog_model, user=officer.user, hosting_region="US (East)")
    assert _status(catalog_model) == ModelApprovalStatus.CHANGED
    assert change.material.system_ids == {own_use_case.ai_system_id}
    assert selectors.use_case_policy(own_use_case)["allowed_models"] == []
    # Asking again approves the new spec.
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    assert decision.subject_version == "spec:2"
    services.approve_model(decision=decision, user=committee.user)
    assert _status(catalog_model) == ModelApprovalStatus.APPROVED


def test_an_approved_model_cannot_be_requested_again(officer, committee, catalog_model) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    services.approve_model(decision=decision, user=committee.user)
    with pytest.raises(Conflict):
        services.request_model_approval(model=catalog_model, user=officer.user)


def test_linking_an_approved_model_to_another_use_case_is_a_material_change(
    officer, committee, catalog_model, other_use_case, own_use_case
) -> None:
    decision = services.request_model_approval(model=catalog_model, user=officer.user)
    services.approve_model(decision=decision, user=committee.user)
    change = services.update_catalog_model(
        model=catalog_model, user=officer.user, use_cases=[own_use_case, other_use_case]
    )
    assert change.material.system_ids == {other_use_case.ai_system_id}
    history = selectors.history_of(catalog_model)
    assert any(c["field"] == "use cases" for row in history for c in row["changes"])


def test_the_approval_status_filter_matches_the_computed_status(officer, committee) -> None:
    approved, pending, fresh = CatalogModelFactory(), CatalogModelFactory(), CatalogModelFactory()
    services.approve_model(
        decision=services.request_model_approval(model=approved, user=officer.user), user=committee.user
    )
    services.request_model_approval(model=pending, user=officer.user)
    by_status = {s: set(CatalogModel.objects.with_status(s)) for s in ModelApprovalStatus.values}
    assert by_status["approved"] == {approved}
    assert by_status["pending"] == {pending}
    assert by_status["not_requested"] == {fresh}
    assert by_status["rejected"] == by_status["changed"] == set()


def test_a_supplier_assessment_must_fall_due_after_it_was_made(officer, supplier) -> None:
    with pytest.raises(ValidationError) as caught:
        services.record_assessment(
            supplier=supplier,
            user=officer.user,
            assessed_on=date(2026, 5, 1),
            outcome="approved",
            next_due=date(2026, 4, 1),
        )
    assert "next_due" in caught.value.message_dict
    assessment = services.record_assessment(
        supplier=supplier,
        user=officer.user,
        assessed_on=date(2026, 5, 1),
        outcome="conditional",
        next_due=date(2027, 5, 1),
    )
    assert assessment.assessor == officer.user
    assert supplier.latest_assessment == assessment


def test_pending_decisions_of_other_kinds_are_not_model_decisions(officer) -> None:
    from tests.factories import DecisionFactory

    with pytest.raises(ServiceError):
        services.model_of(DecisionFactory(requested_by=officer.user))


def test_use_case_policy_lists_only_approved_models_by_gateway_name(officer, committee, own_use_case) -> None:
    approved = CatalogModelFactory(gateway_name="mistral-small-latest", provider="Mistral")
    unapproved = CatalogModelFactory(gateway_name="claude-3-5-sonnet", provider="Anthropic")
    for model in (approved, unapproved):
        model.use_cases.add(own_use_case)
    services.approve_model(
        decision=services.request_model_approval(model=approved, user=officer.user), user=committee.user
    )
    policy = selectors.use_case_policy(own_use_case)
    assert policy == {
        "key": own_use_case.key,
        "allowed_models": ["mistral-small-latest"],
        "redaction_required": True,
        "pii": {"EMAIL_ADDRESS": "mask"},
        "fail_mode": "closed",
    }
    assert DecisionStatus.PENDING not in policy.values()
    assert UseCaseFactory(ai_system=own_use_case.ai_system).fail_mode == "closed"
