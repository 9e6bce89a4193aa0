"""Bad input gets the one error shape with a 4xx, never a 500, and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from aims.core.api.errors import _flatten
from aims.governance.models import OrganisationProfile

ERROR_KEYS = {"code", "message", "fields"}


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == ERROR_KEYS
    return body["error"]


def test_an_unknown_api_address_answers_the_error_shape(officer) -> None:
    response = officer.api().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_an_unknown_object_answers_404_in_the_error_shape(officer) -> None:
    response = officer.api().get(reverse("api:decision-detail", kwargs={"pk": 999999}))
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_permission_failure_answers_403_in_the_error_shape(owner) -> None:
    response = owner.api().get(reverse("api:decision-list"))
    assert response.status_code == 403
    assert _error(response)["code"] == "permission_denied"


def test_a_validation_error_names_each_field(officer, profile) -> None:
    response = officer.api().patch(
        reverse("api:organisation"), {"country": "germany", "aims_contact_email": "not-an-email"}, format="json"
    )
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"country", "aims_contact_email"}
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)


def test_a_model_rule_is_reported_against_its_field(officer, profile) -> None:
    response = officer.api().patch(reverse("api:organisation"), {"country": "de"}, format="json")
    assert response.status_code == 400
    assert "country" in _error(response)["fields"]
    profile.refresh_from_db()
    assert profile.country == "DE"


def test_malformed_json_answers_400(officer, profile) -> None:
    response = officer.api().generic(
        "PATCH", reverse("api:organisation"), '{"name": "x",', content_type="application/json"
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


@pytest.mark.parametrize("body", [b"\xff\xfe\x00bad", b'{"name": NaN}', b"[1, 2"])
def test_non_utf8_and_non_json_bodies_answer_400(officer, profile, body: bytes) -> None:
    response = officer.api().generic("PATCH", reverse("api:organisation"), body, content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


def test_a_wrong_content_type_answers_415(officer, profile) -> None:
    response = officer.api().generic("PATCH", reverse("api:organisation"), "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_a_body_over_the_limit_answers_413_and_changes_nothing(officer, profile, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    body = json.dumps({"purpose": "x" * 5000})
    response = officer.api().generic("PATCH", reverse("api:organisation"), body, content_type="application/json")
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"
    profile.refresh_from_db()
    assert profile.purpose != "x" * 5000


def test_a_nul_character_in_a_field_is_refused(officer, profile) -> None:
    response = officer.api().patch(reverse("api:organisation"), {"name": "North\x00wind"}, format="json")
    assert response.status_code == 400
    assert "name" in _error(response)["fields"]
    assert OrganisationProfile.objects.get().name == profile.name


def test_an_oversized_field_is_refused_with_its_limit(officer, profile) -> None:
    response = officer.api().patch(reverse("api:organisation"), {"name": "N" * 5000}, format="json")
    assert response.status_code == 400
    assert "200" in _error(response)["fields"]["name"][0]


def test_a_nul_character_in_the_query_string_answers_400(officer) -> None:
    response = officer.api().get(reverse("api:decision-list") + "?status=%00")
    assert response.status_code == 400
    assert _error(response)["code"] == "invalid"
    page = officer.client().get(reverse("core:decision-list") + "?status=pending%00")
    assert page.status_code == 400


def test_a_bad_filter_value_answers_400_not_500(officer) -> None:
    response = officer.api().get(reverse("api:decision-list") + "?status=nonsense&requested_after=yesterday")
    assert response.status_code == 400
    assert set(_error(response)["fields"]) == {"status", "requested_after"}


def test_a_page_past_the_end_answers_404_in_the_error_shape(officer) -> None:
    response = officer.api().get(reverse("api:decision-list") + "?page=99")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_lists_carry_a_count(officer) -> None:
    body = officer.api().get(reverse("api:decision-list")).json()
    assert body["count"] == 0
    assert body["results"] == []


def test_a_method_not_allowed_answers_405_in_the_error_shape(officer) -> None:
    response = officer.api().put(reverse("api:me"), {}, format="json")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"


def test_a_malformed_form_is_shown_again_with_messages(officer, profile) -> None:
    response = officer.client().post(
        reverse("governance:organisation-edit"),
        {"name": "A\x00B", "country": "germany", "sector": "finance", "purpose": "p", "aims_contact_email": "x"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"name", "country", "aims_contact_email"} <= set(errors)
    profile.refresh_from_db()
    assert profile.name == "Northwind Analytics"


def test_nested_validation_errors_are_flattened_to_dotted_names() -> None:
    assert _flatten({"a": {"b": ["bad"]}, "c": [{"d": ["worse"]}]}) == {"a.b": ["bad"], "c.0.d": ["worse"]}
    assert _flatten(["whole object bad"]) == {"non_field_errors": ["whole object bad"]}


def test_an_unexpected_error_on_the_api_answers_the_error_shape(rf) -> None:
    from aims.core.api.errors import api_server_error

    response = api_server_error(rf.get("/api/v1/me/"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"


def test_the_schema_documents_the_error_shape_for_every_4xx(officer) -> None:
    schema = officer.api().get(reverse("api:schema") + "?format=json").json()
    assert "Error" in schema["components"]["schemas"]
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert operations
    for path, method, op in operations:
        codes = {c for c in op["responses"] if c.startswith("4")}
        assert {"400", "401", "403"} <= codes, (path, method)
        for code in codes:
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert ref.endswith("/Error"), (path, method, code)
        if "{" in path:
            assert "404" in codes, (path, method)
        if method in {"post", "patch", "put"}:
            assert {"413", "415"} <= codes, (path, method)


def test_api_clients_without_credentials_get_401_not_a_login_page(db) -> None:
    response = APIClient().get(reverse("api:decision-list"))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("field", "value"),
    [("owner", "ow\x00ner"), ("owner", "\ud800"), ("name", "North\udfffwind")],
)
def test_text_the_database_cannot_store_is_refused_before_any_lookup(officer, field: str, value: str) -> None:
    # Found by the fuzz stage: a NUL in a related-object lookup reached PostgreSQL and answered 500.
    body = json.dumps({"name": "Lens", field: value})
    response = officer.api().post("/api/v1/registry/ai-systems/", body, content_type="application/json")
    assert response.status_code == 400
    assert field in _error(response)["fields"]


def test_a_read_only_field_through_a_nullable_relation_is_documented_as_nullable(officer) -> None:
    schema = officer.api().get("/api/schema/?format=json").json()
    classified_by = schema["components"]["schemas"]["AISystem"]["properties"]["classified_by"]
    assert classified_by.get("nullable") is True
