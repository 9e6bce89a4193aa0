"""The gateway endpoints: the current bundle with its ETag (JSON and OPA format), and the decide endpoint.

The decide endpoint's privacy promise is tested the hard way: a marker in the text must appear in no table's
rows, no log line and no error body.
"""

from __future__ import annotations

import io
import json
import logging
import tarfile

import pytest
from django.db import connection
from django.urls import reverse

from enforcement.bundle import load_bundle, revision
from policies import gateway
from tests.policies.factories import published_bundle, support_use_case
from tests.policies.helpers import BUNDLE, decide, stored_events

MARKER = "ZQX-MARKER-7f3e91"


@pytest.fixture
def bundle(officer, committee):
    support_use_case()
    return published_bundle(officer.user, committee.user)


def test_no_approved_bundle_is_a_404_in_the_error_shape(ingestion, officer) -> None:
    support_use_case()
    from policies import services

    services.request_publication(user=officer.user)  # requested, not approved
    response = ingestion.api().get(reverse(BUNDLE))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_bundle_comes_with_its_revision_as_etag(ingestion, bundle) -> None:
    response = ingestion.api().get(reverse(BUNDLE))
    assert response.status_code == 200
    assert response["ETag"] == f'"{bundle.revision}"'
    content = json.loads(response.content)
    assert revision(content) == bundle.revision  # anyone holding the JSON can check the ETag
    load_bundle(content)


def test_if_none_match_gets_a_304(ingestion, bundle) -> None:
    client = ingestion.api()
    response = client.get(reverse(BUNDLE), HTTP_IF_NONE_MATCH=f'"{bundle.revision}"')
    assert response.status_code == 304
    assert response["ETag"] == f'"{bundle.revision}"'
    assert not response.content
    stale = client.get(reverse(BUNDLE), HTTP_IF_NONE_MATCH='"' + "0" * 64 + '"')
    assert stale.status_code == 200


def test_only_a_source_token_gets_the_bundle(officer, bundle, client) -> None:
    assert officer.api().get(reverse(BUNDLE)).status_code == 401  # a personal token is not a gateway
    response = client.get(reverse(BUNDLE), HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.parametrize(
    "how", [{"QUERY_STRING": "format=opa"}, {"HTTP_ACCEPT": "application/gzip"}], ids=["query", "accept"]
)
def test_the_bundle_in_opa_bundle_format(ingestion, bundle, how) -> None:
    response = ingestion.api().get(reverse(BUNDLE), **how)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/gzip"
    assert response["ETag"] == f'"{bundle.revision}"'
    with tarfile.open(fileobj=io.BytesIO(response.content), mode="r:gz") as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(".manifest"))
        data = json.load(tar.extractfile("aims/data.json"))
    assert names == [".manifest", "aims/data.json"]
    assert manifest["revision"] == bundle.revision
    assert manifest["roots"] == ["aims"]
    assert revision(data) == bundle.revision
    again = ingestion.api().get(reverse(BUNDLE), **how)
    assert again.content == response.content  # deterministic bytes for one revision


def test_decide_redacts_and_records_the_event(ingestion, bundle) -> None:
    text = "Customer jane.doe@example.com called about the outage."
    response = decide(ingestion.api(), {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": text})
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "redact"
    assert body["text"] == "Customer <EMAIL_ADDRESS> called about the outage."
    assert body["revision"] == bundle.revision
    assert body["reasons"] == [{"code": "pii_redacted", "rule_id": "R-PII"}]
    assert body["redaction"]["counts"] == {"EMAIL_ADDRESS": 1}
    [event] = stored_events()
    assert event["event_id"] == body["event_id"]
    assert event["decision"] == "redact"
    assert event["policy"]["revision"] == bundle.revision
    assert event["use_case"] == "support-summaries"
    assert "jane.doe" not in json.dumps(event)


def test_decide_blocks_unapproved_models_unknown_use_cases_and_blocked_entities(ingestion, bundle) -> None:
    client = ingestion.api()
    wrong_model = decide(client, {"use_case": "support-summaries", "model": "gpt-unapproved", "text": "hi"}).json()
    assert wrong_model["decision"] == "block" and wrong_model["text"] is None
    assert wrong_model["reasons"][0] == {"code": "model_not_allowed", "rule_id": "R-MODEL"}
    unknown = decide(client, {"use_case": "nobody-registered", "model": "gpt-4o-mini", "text": "hi"}).json()
    assert unknown["decision"] == "block"
    assert unknown["reasons"][0]["code"] == "unknown_use_case"
    card = decide(
        client, {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": "Card 4111 1111 1111 1111 please"}
    ).json()
    assert card["decision"] == "block"
    assert {"code": "pii_blocked", "rule_id": "R-PII"} in card["reasons"]
    assert [e["decision"] for e in stored_events()] == ["block", "block", "block"]


def test_hash_operator_uses_the_configured_key(ingestion, bundle, settings) -> None:
    text = "NHS number 943 476 5919 on file"
    settings.AIMS_DECIDE_HASH_KEY = "k" * 32
    first = decide(ingestion.api(), {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": text}).json()
    settings.AIMS_DECIDE_HASH_KEY = "z" * 32
    second = decide(ingestion.api(), {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": text}).json()
    assert first["text"].startswith("NHS number <UK_NHS:")
    assert first["text"] != second["text"]  # the token depends on the deployment's key
    del settings.AIMS_DECIDE_HASH_KEY
    assert len(gateway.hash_key()) == 32  # derived from SECRET_KEY when the setting is absent


@pytest.mark.parametrize(
    "payload",
    [
        {"model": "gpt-4o-mini", "text": f"missing use case {MARKER}"},
        {"use_case": "support-summaries", "model": ["x"], "text": f"bad model {MARKER}"},
        {"use_case": "x" * 500, "model": "gpt-4o-mini", "text": f"long key {MARKER}"},
        {"use_case": "a\x00b", "model": "gpt-4o-mini", "text": f"nul {MARKER}"},
        [f"not an object {MARKER}"],
    ],
    ids=["missing", "wrong-type", "too-long", "nul", "array"],
)
def test_bad_input_is_a_400_that_never_echoes_the_text(ingestion, bundle, payload) -> None:
    response = decide(ingestion.api(), payload)
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert MARKER not in response.content.decode()


def test_unparseable_bodies_and_wrong_types_are_refused_without_echo(ingestion, bundle) -> None:
    client = ingestion.api()
    broken = decide(client, None, raw=f'{{"text": "{MARKER}'.encode())
    assert broken.status_code == 400 and MARKER not in broken.content.decode()
    form = decide(client, None, raw=f"text={MARKER}".encode(), content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415 and MARKER not in form.content.decode()
    latin = decide(client, None, raw=b'{"text": "\xff' + MARKER.encode() + b'"}')
    assert latin.status_code == 400 and MARKER not in latin.content.decode()


def test_decide_without_an_approved_bundle_is_a_404(ingestion) -> None:
    response = decide(ingestion.api(), {"use_case": "x", "model": "y", "text": MARKER})
    assert response.status_code == 404
    assert MARKER not in response.content.decode()


def test_the_raw_text_is_never_stored_or_logged(ingestion, bundle, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = ingestion.api()
    texts = [
        f"Summarise {MARKER} for jane.doe@example.com",  # redact
        f"{MARKER} card 4111 1111 1111 1111",  # block on content
    ]
    for text in texts:
        assert (
            decide(client, {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": text}).status_code == 200
        )
    decide(client, {"use_case": "support-summaries", "model": "gpt-unapproved", "text": MARKER})
    decide(client, {"use_case": 7, "model": "gpt-4o-mini", "text": MARKER})  # an error path too
    assert len(stored_events()) == 3

    assert MARKER not in caplog.text
    for record in caplog.records:
        assert MARKER not in repr(record.args) and MARKER not in str(record.msg)
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                if any(MARKER in (v.decode(errors="replace") if isinstance(v, bytes) else str(v)) for v in row):
                    found.append(table)
    assert found == []


def test_an_engine_failure_applies_the_fail_mode_and_records_an_error(ingestion, bundle, settings) -> None:
    settings.AIMS_DECIDE_HASH_KEY = "short"  # the hash operator refuses keys under 16 bytes
    response = decide(
        ingestion.api(),
        {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": f"NHS 943 476 5919 {MARKER}"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["decision"] == "error" and body["text"] is None and body["fail_mode"] == "closed"
    assert MARKER not in response.content.decode()
    [event] = stored_events()
    assert event["decision"] == "error"
    assert event["reasons"] == [{"code": "engine_error", "rule_id": None}]
