"""The register's pages: lists with filter, search, sort and pages; forms with clear messages; History tabs;
the questionnaire; model approval; CSV export."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry import services
from registry.choices import ModelApprovalStatus, RiskTier
from registry.models import AISystem, CatalogModel, UseCase
from tests.registry.factories import AISystemFactory, CatalogModelFactory, SupplierFactory

SYSTEM_FORM = {
    "name": "Mortgage pricing",
    "purpose": "Prices mortgage offers.",
    "business_unit": "Retail Lending",
    "lifecycle_stage": "design",
    "ai_role": "deployer",
    "deployment": "vendor_saas",
    "status": "proposed",
    "next_review_on": "2027-03-31",
    "human_oversight": "in_the_loop",
}


def test_the_register_lists_every_system_to_every_role_holder(owner, auditor, own_system, other_system) -> None:
    for persona in (owner, auditor):
        response = persona.client().get(reverse("registry:index"))
        assert response.status_code == 200
        assert {s.name for s in response.context["page"]} == {"CreditLens", "Sentinel"}


def test_the_register_filters_searches_and_sorts(officer, own_system, other_system) -> None:
    AISystem.objects.filter(pk=own_system.pk).update(risk_tier=RiskTier.HIGH)
    client = officer.client()
    high = client.get(reverse("registry:index"), {"risk_tier": "high"})
    assert [s.name for s in high.context["page"]] == ["CreditLens"]
    found = client.get(reverse("registry:index"), {"q": "sentin"})
    assert [s.name for s in found.context["page"]] == ["Sentinel"]
    by_owner = client.get(reverse("registry:index"), {"owner": "owner"})
    assert [s.name for s in by_owner.context["page"]] == ["CreditLens"]
    descending = client.get(reverse("registry:index"), {"sort": "-name"})
    assert [s.name for s in descending.context["page"]] == ["Sentinel", "CreditLens"]


def test_the_register_pages_through_many_systems(officer) -> None:
    AISystemFactory.create_batch(30)
    client = officer.client()
    first = client.get(reverse("registry:index"), {"sort": "name"})
    assert len(first.context["page"]) == 25
    assert "Page 1 of 2" in first.content.decode()
    second = client.get(reverse("registry:index"), {"sort": "name", "page": 2})
    assert len(second.context["page"]) == 5


@pytest.mark.parametrize(
    "query",
    [
        {"risk_tier": "catastrophic"},
        {"sort": "password"},
        {"q": "x" * 500},
        {"owner": "nobody"},
        {"review_due_before": "soon"},
    ],
)
def test_a_bad_filter_answers_400_not_500(officer, query: dict) -> None:
    assert officer.client().get(reverse("registry:index"), query).status_code == 400


def test_an_officer_registers_a_system_and_is_sent_to_classify_it(officer, owner, supplier) -> None:
    response = officer.client().post(
        reverse("registry:system-create"),
        {**SYSTEM_FORM, "owner": owner.user.pk, "suppliers": [supplier.pk], "reason": "New"},
    )
    system = AISystem.objects.get(name="Mortgage pricing")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:system-classify", kwargs={"pk": system.pk})
    assert list(system.suppliers.all()) == [supplier]
    assert system.history.first().history_user == officer.user


def test_the_system_form_says_what_is_wrong(officer, owner, own_system) -> None:
    response = officer.client().post(
        reverse("registry:system-create"),
        {**SYSTEM_FORM, "name": own_system.name, "owner": owner.user.pk, "next_review_on": "someday", "ai_role": "x"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Enter a valid date." in errors["next_review_on"]
    assert "ai_role" in errors
    content = response.content.decode()
    assert "Please correct the errors below." in content


def test_a_duplicate_name_shows_against_the_name_field(officer, owner, own_system) -> None:
    response = officer.client().post(
        reverse("registry:system-create"), {**SYSTEM_FORM, "name": own_system.name, "owner": owner.user.pk}
    )
    assert response.status_code == 400
    assert "already exists" in str(response.context["form"].errors["name"])


def test_an_owner_edits_their_own_system_but_not_its_owner(owner, officer, own_system) -> None:
    client = owner.client()
    page = client.get(reverse("registry:system-edit", kwargs={"pk": own_system.pk}))
    assert page.context["form"].fields["owner"].disabled
    data = {**SYSTEM_FORM, "name": own_system.name, "owner": officer.user.pk, "purpose": "Scores SME loans too."}
    response = client.post(reverse("registry:system-edit", kwargs={"pk": own_system.pk}), data, follow=True)
    own_system.refresh_from_db()
    assert own_system.owner == owner.user  # a disabled field keeps its initial value
    assert own_system.purpose == "Scores SME loans too."
    assert "Material change" in response.content.decode()


def test_an_owner_cannot_open_the_edit_page_of_another_system(owner, other_system) -> None:
    assert owner.client().get(reverse("registry:system-edit", kwargs={"pk": other_system.pk})).status_code == 403
    assert (
        owner.client().post(reverse("registry:system-edit", kwargs={"pk": other_system.pk}), SYSTEM_FORM).status_code
        == 403
    )


def test_the_detail_page_shows_edit_links_only_to_who_may_edit(owner, auditor, own_system, other_system) -> None:
    own = owner.client().get(reverse("registry:system-detail", kwargs={"pk": own_system.pk})).content.decode()
    assert reverse("registry:system-edit", kwargs={"pk": own_system.pk}) in own
    other = owner.client().get(reverse("registry:system-detail", kwargs={"pk": other_system.pk})).content.decode()
    assert reverse("registry:system-edit", kwargs={"pk": other_system.pk}) not in other
    read = auditor.client().get(reverse("registry:system-detail", kwargs={"pk": own_system.pk})).content.decode()
    assert "Edit" not in read.split("<dl")[0]


def test_the_questionnaire_classifies_and_the_history_tab_shows_the_reclassification(
    owner, auditor, own_system
) -> None:
    client = owner.client()
    url = reverse("registry:system-classify", kwargs={"pk": own_system.pk})
    page = client.get(url)
    assert "5(1)(a)" in page.content.decode() and "Annex III" in page.content.decode()
    client.post(url, {"transparency_duties": ["50(1)"], "reason": "First pass"})
    response = client.post(url, {"annex_iii_areas": ["5"], "profiling": "on"}, follow=True)
    own_system.refresh_from_db()
    assert own_system.risk_tier == RiskTier.HIGH
    assert "Classified as High-risk" in response.content.decode()
    history = auditor.client().get(reverse("registry:system-history", kwargs={"pk": own_system.pk})).content.decode()
    assert "Reclassified limited → high" in history
    assert "First pass" in history
    assert "<del>Limited risk (Art. 50 transparency)</del>" in history
    assert "<ins>High-risk (Art. 6)</ins>" in history


def test_contradictory_answers_are_shown_on_their_question(officer, own_system) -> None:
    response = officer.client().post(
        reverse("registry:system-classify", kwargs={"pk": own_system.pk}), {"art_6_3_exemption": "on"}
    )
    assert response.status_code == 400
    assert "only to a system in an Annex III area" in str(response.context["form"].errors["art_6_3_exemption"])
    own_system.refresh_from_db()
    assert own_system.risk_tier == RiskTier.UNCLASSIFIED


def test_an_owner_adds_a_use_case_with_a_pii_policy(owner, own_system) -> None:
    response = owner.client().post(
        reverse("registry:usecase-create", kwargs={"pk": own_system.pk}),
        {
            "key": "sme-credit-scoring",
            "name": "SME credit scoring",
            "data_categories": ["personal", "financial"],
            "redaction_required": "on",
            "fail_mode": "closed",
            "active": "on",
            "pii_IBAN_CODE": "hash",
            "pii_EMAIL_ADDRESS": "mask",
        },
    )
    assert response.status_code == 302
    use_case = UseCase.objects.get(key="sme-credit-scoring")
    assert use_case.pii_policy == {"IBAN_CODE": "hash", "EMAIL_ADDRESS": "mask"}
    assert use_case.processes_personal_data
    detail = owner.client().get(reverse("registry:usecase-detail", kwargs={"key": use_case.key})).content.decode()
    assert "IBAN_CODE" in detail


def test_the_use_case_form_says_what_is_wrong(officer, own_system, own_use_case) -> None:
    response = officer.client().post(
        reverse("registry:usecase-create", kwargs={"pk": own_system.pk}),
        {"key": own_use_case.key, "name": "Again", "redaction_required": "on", "fail_mode": "closed"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "key" in errors
    assert any("Redaction is required" in e for e in errors["__all__"])


def test_a_use_case_key_cannot_be_changed_by_editing(officer, own_use_case) -> None:
    url = reverse("registry:usecase-edit", kwargs={"key": own_use_case.key})
    data = {
        "key": "renamed",
        "name": "Renamed",
        "fail_mode": "open",
        "pii_EMAIL_ADDRESS": "mask",
        "redaction_required": "on",
    }
    assert officer.client().post(url, data).status_code == 302
    own_use_case.refresh_from_db()
    assert own_use_case.key == "consumer-credit-scoring"
    assert own_use_case.fail_mode == "open"
    history = officer.client().get(reverse("registry:usecase-history", kwargs={"key": own_use_case.key}))
    assert "fail mode" in history.content.decode()


def test_an_owner_cannot_edit_use_cases_of_another_system(owner, other_use_case) -> None:
    assert owner.client().get(reverse("registry:usecase-edit", kwargs={"key": other_use_case.key})).status_code == 403


def test_use_cases_filter_by_data_category_and_redaction(officer, own_use_case, other_use_case) -> None:
    UseCase.objects.filter(pk=other_use_case.pk).update(data_categories=["public"], redaction_required=False)
    client = officer.client()
    personal = client.get(reverse("registry:usecase-list"), {"data_category": "personal"})
    assert [u.key for u in personal.context["page"]] == [own_use_case.key]
    not_redacted = client.get(reverse("registry:usecase-list"), {"redaction_required": "false"})
    assert [u.key for u in not_redacted.context["page"]] == [other_use_case.key]
    assert client.get(reverse("registry:usecase-list"), {"redaction_required": "maybe"}).status_code == 400


def test_the_model_approval_flow_in_the_ui(officer, committee, catalog_model) -> None:
    detail = reverse("registry:model-detail", kwargs={"pk": catalog_model.pk})
    assert "Ask the committee to approve" in officer.client().get(detail).content.decode()
    officer.client().post(reverse("registry:model-request-approval", kwargs={"pk": catalog_model.pk}), {"note": "EU"})
    page = committee.client().get(detail).content.decode()
    assert "Record decision" in page
    response = committee.client().post(
        reverse("registry:model-decide", kwargs={"pk": catalog_model.pk}), {"decision": "approve", "rationale": "ok"}
    )
    assert response.status_code == 302
    assert (
        CatalogModel.objects.with_approval().get(pk=catalog_model.pk).approval_status == ModelApprovalStatus.APPROVED
    )
    page = officer.client().get(detail).content.decode()
    assert "Approved" in page and str(committee.user) in page


def test_a_model_rejection_without_rationale_is_refused_on_the_form(officer, committee, catalog_model) -> None:
    services.request_model_approval(model=catalog_model, user=officer.user)
    response = committee.client().post(
        reverse("registry:model-decide", kwargs={"pk": catalog_model.pk}), {"decision": "reject", "rationale": ""}
    )
    assert response.status_code == 400
    assert "rationale" in response.context["decide_form"].errors


def test_deciding_without_a_pending_request_is_a_conflict(committee, catalog_model) -> None:
    response = committee.client().post(
        reverse("registry:model-decide", kwargs={"pk": catalog_model.pk}), {"decision": "approve"}
    )
    assert response.status_code == 409


def test_the_model_list_filters_by_approval_status(officer, committee) -> None:
    approved = CatalogModelFactory(gateway_name="gpt-4o")
    CatalogModelFactory(gateway_name="o1-preview")
    services.approve_model(
        decision=services.request_model_approval(model=approved, user=officer.user), user=committee.user
    )
    response = officer.client().get(reverse("registry:model-list"), {"approval_status": "approved"})
    assert [m.gateway_name for m in response.context["page"]] == ["gpt-4o"]


def test_an_officer_records_a_supplier_assessment(officer, supplier) -> None:
    url = reverse("registry:assessment-create", kwargs={"pk": supplier.pk})
    bad = officer.client().post(url, {"assessed_on": "2026-05-01", "outcome": "approved", "next_due": "2026-04-01"})
    assert bad.status_code == 400
    assert "must be due after" in str(bad.context["form"].errors["next_due"])
    good = officer.client().post(url, {"assessed_on": "2026-05-01", "outcome": "approved", "next_due": "2027-05-01"})
    assert good.status_code == 302
    page = officer.client().get(reverse("registry:supplier-detail", kwargs={"pk": supplier.pk})).content.decode()
    assert "2027-05-01" in page


def test_supplier_history_shows_who_changed_what(officer, auditor) -> None:
    supplier = services.create_supplier(user=officer.user, name="Aleph Alpha", kind="model_provider", country="DE")
    services.update_supplier(supplier=supplier, user=officer.user, reason="Now critical", critical=True)
    page = auditor.client().get(reverse("registry:supplier-history", kwargs={"pk": supplier.pk})).content.decode()
    assert "Now critical" in page and str(officer.user) in page and "<ins>True</ins>" in page


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_the_exports_follow_the_filters_and_defuse_formulas(auditor, own_system, other_system, own_use_case) -> None:
    AISystem.objects.filter(pk=own_system.pk).update(purpose="=HYPERLINK('http://evil')")
    client = auditor.client()
    text = _csv(client.get(reverse("registry:system-export"), {"owner": "owner"}))
    lines = text.splitlines()
    assert lines[0].startswith("name,purpose,owner")
    assert len(lines) == 2 and "CreditLens" in lines[1]
    assert "'=HYPERLINK" in lines[1]
    assert "consumer-credit-scoring" in _csv(client.get(reverse("registry:usecase-export")))
    assert client.get(reverse("registry:model-export")).status_code == 200
    SupplierFactory(name="Mistral AI")
    assert "Mistral AI" in _csv(client.get(reverse("registry:supplier-export")))
    assert client.get(reverse("registry:system-export"), {"risk_tier": "nope"}).status_code == 400


def test_the_detail_page_shows_the_answers_that_led_to_the_tier(officer, own_system) -> None:
    services.classify_ai_system(
        system=own_system, user=officer.user, answers={"annex_iii_areas": ["5"], "profiling": True}
    )
    page = officer.client().get(reverse("registry:system-detail", kwargs={"pk": own_system.pk})).content.decode()
    assert "Annex III: area 5 (Access to essential private and public services and benefits)" in page
    assert "Profiles natural persons" in page
    assert "High-risk under Art. 6(2)" in page
