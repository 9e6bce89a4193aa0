"""The register's API: the same filters as the pages, writes through the services, operations for classify and
model approval, and the one error shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from registry import services
from registry.choices import ModelApprovalStatus, RiskTier
from registry.models import AISystem, CatalogModel, UseCase
from tests.registry.factories import AISystemFactory, CatalogModelFactory

SYSTEM = {
    "name": "Mortgage pricing",
    "purpose": "Prices mortgage offers.",
    "owner": "owner",
    "business_unit": "Retail Lending",
    "ai_role": "deployer",
    "deployment": "vendor_saas",
    "next_review_on": "2027-03-31",
    "human_oversight": "in_the_loop",
}


def _error(response) -> dict:
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_the_api_lists_systems_with_a_count_and_the_pages_filters(auditor, own_system, other_system) -> None:
    AISystem.objects.filter(pk=own_system.pk).update(risk_tier=RiskTier.HIGH)
    api = auditor.api()
    everything = api.get(reverse("api:registry-ai-system-list")).json()
    assert everything["count"] == 2
    high = api.get(reverse("api:registry-ai-system-list"), {"risk_tier": "high"}).json()
    assert [s["name"] for s in high["results"]] == ["CreditLens"]
    assert api.get(reverse("api:registry-ai-system-list"), {"q": "sentinel"}).json()["count"] == 1
    sorted_ = api.get(reverse("api:registry-ai-system-list"), {"sort": "-name"}).json()
    assert [s["name"] for s in sorted_["results"]] == ["Sentinel", "CreditLens"]


@pytest.mark.parametrize(
    "query",
    [{"risk_tier": "extreme"}, {"sort": "secret"}, {"owner": "ghost"}, {"gpai_model": "perhaps"}, {"page": 99}],
)
def test_bad_queries_answer_in_the_error_shape(officer, own_system, query: dict) -> None:
    response = officer.api().get(reverse("api:registry-ai-system-list"), query)
    assert response.status_code in {400, 404}
    _error(response)


def test_an_officer_creates_a_system_and_duplicates_are_reported_on_the_field(officer, owner) -> None:
    api = officer.api()
    created = api.post(reverse("api:registry-ai-system-list"), {**SYSTEM, "reason": "API"}, format="json")
    assert created.status_code == 201
    assert created.json()["risk_tier"] == "unclassified"
    again = api.post(reverse("api:registry-ai-system-list"), SYSTEM, format="json")
    assert again.status_code == 400
    assert "name" in _error(again)["fields"]


def test_missing_and_invalid_fields_are_reported_by_name(officer, owner) -> None:
    response = officer.api().post(
        reverse("api:registry-ai-system-list"), {"name": "x", "ai_role": "overlord", "status": "zombie"}, format="json"
    )
    fields = _error(response)["fields"]
    assert {"purpose", "owner", "ai_role", "status", "next_review_on"} <= set(fields)


def test_the_tier_cannot_be_written_directly(officer, own_system) -> None:
    response = officer.api().patch(
        reverse("api:registry-ai-system-detail", kwargs={"pk": own_system.pk}), {"risk_tier": "minimal"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["risk_tier"] == "unclassified"


def test_an_owner_patches_only_their_own_system(owner, own_system, other_system) -> None:
    api = owner.api()
    mine = api.patch(
        reverse("api:registry-ai-system-detail", kwargs={"pk": own_system.pk}), {"status": "suspended"}, format="json"
    )
    assert mine.status_code == 200 and mine.json()["status"] == "suspended"
    theirs = api.patch(
        reverse("api:registry-ai-system-detail", kwargs={"pk": other_system.pk}), {"status": "retired"}, format="json"
    )
    assert theirs.status_code == 403
    assert _error(theirs)["code"] == "permission_denied"


def test_systems_cannot_be_deleted(officer, own_system) -> None:
    response = officer.api().delete(reverse("api:registry-ai-system-detail", kwargs={"pk": own_system.pk}))
    assert response.status_code in {403, 405}  # no role holds delete_aisystem, and the view offers no DELETE
    _error(response)
    assert AISystem.objects.filter(pk=own_system.pk).exists()


def test_classify_through_the_api_returns_the_tier_and_the_material_change(owner, own_system) -> None:
    url = reverse("api:registry-ai-system-classify", kwargs={"pk": own_system.pk})
    response = owner.api().post(url, {"annex_iii_areas": ["5"], "profiling": True}, format="json")
    body = response.json()
    assert response.status_code == 200
    assert body["risk_tier"] == "high"
    assert body["classification_routes"] == ["6(2)", "annex_iii:5"]
    assert body["material_change"]["system_ids"] == [own_system.pk]
    bad = owner.api().post(url, {"annex_iii_areas": ["11"]}, format="json")
    assert bad.status_code == 400
    assert "annex_iii_areas" in _error(bad)["fields"]


def test_use_cases_are_addressed_by_key_and_list_only_approved_models(officer, committee, own_use_case) -> None:
    model = CatalogModelFactory(gateway_name="gpt-4o-mini")
    model.use_cases.add(own_use_case)
    url = reverse("api:registry-use-case-detail", kwargs={"key": own_use_case.key})
    assert officer.api().get(url).json()["allowed_models"] == []
    request = officer.api().post(
        reverse("api:registry-model-request-approval", kwargs={"pk": model.pk}), format="json"
    )
    assert request.status_code == 201
    approve = committee.api().post(
        reverse("api:registry-model-approve", kwargs={"pk": model.pk}), {"rationale": "EU"}, format="json"
    )
    assert approve.status_code == 200
    assert approve.json()["model"]["approval_status"] == ModelApprovalStatus.APPROVED
    assert approve.json()["material_change"]["system_ids"] == [own_use_case.ai_system_id]
    assert officer.api().get(url).json()["allowed_models"] == ["gpt-4o-mini"]


def test_an_owner_creates_a_use_case_for_their_own_system_only(owner, own_system, other_system) -> None:
    body = {"key": "sme-scoring", "ai_system": own_system.name, "name": "SME", "pii_policy": {"IBAN_CODE": "hash"}}
    created = owner.api().post(reverse("api:registry-use-case-list"), body, format="json")
    assert created.status_code == 201
    assert created.json()["fail_mode"] == "closed"
    refused = owner.api().post(
        reverse("api:registry-use-case-list"), {**body, "key": "other", "ai_system": other_system.name}, format="json"
    )
    assert refused.status_code == 403


def test_a_use_case_with_an_unknown_pii_entity_or_operator_is_refused(officer, own_system) -> None:
    body = {"key": "x-y", "ai_system": own_system.name, "name": "X", "pii_policy": {"PASSPORT": "mask"}}
    response = officer.api().post(reverse("api:registry-use-case-list"), body, format="json")
    assert "pii_policy" in _error(response)["fields"]
    body["pii_policy"] = {"EMAIL_ADDRESS": "shred"}
    response = officer.api().post(reverse("api:registry-use-case-list"), body, format="json")
    assert any(name.startswith("pii_policy") for name in _error(response)["fields"])


def test_a_use_case_key_never_changes(officer, own_use_case) -> None:
    response = officer.api().patch(
        reverse("api:registry-use-case-detail", kwargs={"key": own_use_case.key}), {"key": "renamed"}, format="json"
    )
    assert response.status_code == 409
    assert UseCase.objects.filter(key=own_use_case.key).exists()


def test_models_filter_by_use_case_and_approval_status(officer, committee, own_use_case) -> None:
    linked = CatalogModelFactory(gateway_name="mistral-small-latest", provider="Mistral")
    linked.use_cases.add(own_use_case)
    CatalogModelFactory(gateway_name="o1-preview")
    api = officer.api()
    by_use_case = api.get(reverse("api:registry-model-list"), {"use_case": own_use_case.key}).json()
    assert [m["gateway_name"] for m in by_use_case["results"]] == ["mistral-small-latest"]
    pending = api.get(reverse("api:registry-model-list"), {"approval_status": "not_requested"}).json()
    assert pending["count"] == 2


def test_a_duplicate_gateway_name_per_provider_is_refused(officer) -> None:
    body = {"provider": "Mistral", "gateway_name": "mistral-small-latest", "hosting_region": "EU"}
    assert officer.api().post(reverse("api:registry-model-list"), body, format="json").status_code == 201
    again = officer.api().post(reverse("api:registry-model-list"), body, format="json")
    assert again.status_code == 400
    _error(again)


def test_model_approval_operations_refuse_what_the_rules_refuse(officer, committee, catalog_model) -> None:
    approve_url = reverse("api:registry-model-approve", kwargs={"pk": catalog_model.pk})
    nothing_pending = committee.api().post(approve_url, {}, format="json")
    assert nothing_pending.status_code == 409
    officer.api().post(reverse("api:registry-model-request-approval", kwargs={"pk": catalog_model.pk}), format="json")
    twice = officer.api().post(reverse("api:registry-model-request-approval", kwargs={"pk": catalog_model.pk}))
    assert twice.status_code == 409
    reject = committee.api().post(
        reverse("api:registry-model-reject", kwargs={"pk": catalog_model.pk}), {}, format="json"
    )
    assert reject.status_code == 400
    assert "rationale" in _error(reject)["fields"]
    reject = committee.api().post(
        reverse("api:registry-model-reject", kwargs={"pk": catalog_model.pk}), {"rationale": "US"}, format="json"
    )
    assert reject.json()["model"]["approval_status"] == "rejected"


def test_the_generic_decision_endpoint_and_the_model_stay_in_sync(officer, committee, catalog_model) -> None:
    decision = (
        officer.api()
        .post(reverse("api:registry-model-request-approval", kwargs={"pk": catalog_model.pk}), format="json")
        .json()
    )
    committee.api().post(reverse("api:decision-approve", kwargs={"pk": decision["id"]}), {}, format="json")
    model = officer.api().get(reverse("api:registry-model-detail", kwargs={"pk": catalog_model.pk})).json()
    assert model["approval_status"] == "approved"
    assert model["approved_by"] == "committee"
    assert CatalogModel.objects.approved().count() == 1


def test_suppliers_carry_their_assessments(officer, supplier) -> None:
    url = reverse("api:registry-supplier-assess", kwargs={"pk": supplier.pk})
    bad = officer.api().post(
        url, {"assessed_on": "2026-05-01", "outcome": "approved", "next_due": "2026-01-01"}, format="json"
    )
    assert "next_due" in _error(bad)["fields"]
    good = officer.api().post(
        url,
        {"assessed_on": "2026-05-01", "outcome": "conditional", "next_due": "2026-11-01", "notes": "TIA"},
        format="json",
    )
    assert good.status_code == 201 and good.json()["assessor"] == "officer"
    detail = officer.api().get(reverse("api:registry-supplier-detail", kwargs={"pk": supplier.pk})).json()
    assert detail["assessments"][0]["outcome"] == "conditional"


def test_huge_ids_and_nul_bytes_never_give_a_500(officer) -> None:
    api = officer.api()
    assert api.get(reverse("api:registry-use-case-list"), {"ai_system": 2**40}).status_code == 400
    assert api.get(reverse("api:registry-model-list"), {"supplier": "1e99"}).status_code == 400
    assert api.get(reverse("api:registry-ai-system-list"), {"q": "a\x00b"}).status_code == 400
    assert api.get("/api/v1/registry/ai-systems/99999999999999/").status_code == 404


def test_many_systems_paginate_with_a_count(auditor) -> None:
    AISystemFactory.create_batch(3)
    body = auditor.api().get(reverse("api:registry-ai-system-list"), {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_the_history_of_an_entry_reads_as_a_diff(officer, auditor, own_system) -> None:
    services.classify_ai_system(system=own_system, user=officer.user, answers={"transparency_duties": ["50(1)"]})
    history = auditor.api().get(reverse("api:registry-ai-system-history", kwargs={"pk": own_system.pk})).json()
    latest = history[0]
    assert latest["user"] == "officer"
    assert latest["reason"] == "Reclassified unclassified → limited"
    assert {"field": "risk tier", "old": "Not classified yet", "new": "Limited risk (Art. 50 transparency)"} in latest[
        "changes"
    ]
    assert history[-1]["type"] == "Created"
