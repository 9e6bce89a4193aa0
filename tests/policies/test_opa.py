"""OPA's native decision-log upload turned into evidence events (policies/api/opa.py).

Payloads are OPA's own examples from its documentation: open-policy-agent/opa, docs/content/
management-decision-logs.md (commit 1d420f26dd03ecb4f910e00eda1a625dda19c590), the "Decision Log Service API"
upload example and the "Masking Sensitive Data" erased/masked examples. Only the timestamps are moved to now:
the documented dates (2018, 2019) are older than the evidence retention period and would be refused.
"""

from __future__ import annotations

import copy
import gzip
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase

from tests.policies.helpers import stored_events

OPA_LOGS = "/api/evidence/v1/opa/logs"
MARKER = "OPA-MARKER-51c2"


def _recent(seconds: int = 30, nanos: bool = False) -> str:
    moment = datetime.now(UTC) - timedelta(seconds=seconds)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f")
    return text + ("123Z" if nanos else "Z")


# From the documentation's upload example; the version label is the docs' template placeholder made concrete.
DOCS_EXAMPLE: list[dict[str, Any]] = [
    {
        "labels": {"app": "my-example-app", "id": "1780d507-aea2-45cc-ae50-fa153c8e4a5a", "version": "v1.3.0"},
        "decision_id": "4ca636c1-55e4-417a-b1d8-4aceb67960d1",
        "bundles": {"authz": {"revision": "W3sibCI6InN5cy9jYXRhbG9nIiwicyI6NDA3MX1d"}},
        "path": "http/example/authz/allow",
        "input": {"method": "GET", "path": "/salary/bob"},
        "result": "true",
        "requested_by": "[::1]:59943",
        "timestamp": _recent(),
    }
]

# From the documentation's masking example (erased and masked pointers, a nanosecond timestamp).
MASKED_EXAMPLE: dict[str, Any] = {
    "decision_id": "b4638167-7fcb-4bc7-9e80-31f5f87cb738",
    "erased": ["/input/ssn"],
    "masked": ["/input/password"],
    "input": {"name": "bob", "resource": "user", "password": "**REDACTED**"},
    "path": "system/main",
    "requested_by": "127.0.0.1:36412",
    "result": True,
    "timestamp": _recent(nanos=True),
}


@pytest.fixture
def opa_urls(settings) -> None:
    settings.ROOT_URLCONF = "tests.policies.urls_opa"


def post(client: Any, body: Any, *, compress: bool = True, raw: bytes | None = None) -> Any:
    data = raw if raw is not None else json.dumps(body).encode()
    extra = {}
    if compress and raw is None:
        data = gzip.compress(data)
        extra["HTTP_CONTENT_ENCODING"] = "gzip"  # as OPA's decision-log plugin sends it
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.generic("POST", OPA_LOGS, data, content_type="application/json", **extra)


def test_the_documented_upload_becomes_a_decision_event(opa_urls, ingestion) -> None:
    response = post(ingestion.api(), DOCS_EXAMPLE)
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == 1
    [event] = stored_events()
    assert event["event_id"] == "4ca636c1-55e4-417a-b1d8-4aceb67960d1"  # decision_id
    assert event["kind"] == "decision" and event["stage"] == "pre_call"
    assert event["decision"] == "allow"  # "true", as the docs write it
    assert event["policy"] == {
        "bundle": "authz",
        "revision": "W3sibCI6InN5cy9jYXRhbG9nIiwicyI6NDA3MX1d",
        "rule_ids": ["http/example/authz/allow"],
    }
    assert event["node_id"] == "1780d507-aea2-45cc-ae50-fa153c8e4a5a"
    assert event["attributes"]["opa_labels"]["app"] == "my-example-app"
    # The query input and the client address are not evidence: they stay out.
    assert "/salary/bob" not in json.dumps(event) and "59943" not in json.dumps(event)


def test_a_resent_chunk_is_a_duplicate_not_a_second_record(opa_urls, ingestion) -> None:
    post(ingestion.api(), DOCS_EXAMPLE)
    again = post(ingestion.api(), DOCS_EXAMPLE).json()
    assert again["accepted"] == 0 and again["duplicates"] == 1
    assert len(stored_events()) == 1


def test_masked_decisions_keep_their_pointers_and_drop_the_input(opa_urls, ingestion) -> None:
    response = post(ingestion.api(), [MASKED_EXAMPLE])
    assert response.json()["accepted"] == 1, response.content
    [event] = stored_events()
    assert event["decision"] == "allow"
    assert event["attributes"]["opa_erased"] == ["/input/ssn"]
    assert event["attributes"]["opa_masked"] == ["/input/password"]
    assert "REDACTED" not in json.dumps(event) and "bob" not in json.dumps(event)


@pytest.mark.parametrize(
    ("result", "decision", "reason"),
    [
        (False, "block", "opa_deny"),
        ({"allow": False, "reasons": ["model not approved"]}, "block", "opa_deny"),
        ({"decision": "redact"}, "redact", None),
        ({"something": "else"}, "error", "opa_result_not_mapped"),
        (None, "error", "opa_undefined"),
    ],
    ids=["false", "allow-false", "named", "unmapped", "undefined"],
)
def test_the_decision_follows_the_result_where_possible(opa_urls, ingestion, result, decision, reason) -> None:
    item = copy.deepcopy(DOCS_EXAMPLE[0])
    item["decision_id"] = f"d-{decision}-{reason}"
    if result is None:
        del item["result"]
    else:
        item["result"] = result
    assert post(ingestion.api(), [item]).json()["accepted"] == 1
    [event] = stored_events()
    assert event["decision"] == decision
    assert event["reasons"] == ([{"code": reason, "rule_id": "http/example/authz/allow"}] if reason else [])


def test_use_case_and_model_come_from_the_input_and_no_text_is_kept(opa_urls, ingestion, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    item = copy.deepcopy(DOCS_EXAMPLE[0])
    item["input"] = {"use_case": "support-summaries", "model": "gpt-4o-mini", "prompt": f"secret {MARKER}"}
    item["result"] = {"allow": True, "explanation": f"echo {MARKER}"}
    assert post(ingestion.api(), [item]).json()["accepted"] == 1
    [event] = stored_events()
    assert event["use_case"] == "support-summaries"
    assert event["model"]["requested"] == "gpt-4o-mini"
    assert MARKER not in caplog.text
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            assert not any(MARKER in str(v) for row in cursor.fetchall() for v in row), table


def test_unusable_items_are_reported_by_index_and_the_rest_kept(opa_urls, ingestion) -> None:
    good = copy.deepcopy(DOCS_EXAMPLE[0])
    no_id = {k: v for k, v in good.items() if k != "decision_id"}
    old = {**good, "decision_id": "too-old", "timestamp": "2018-01-01T00:00:00.000000Z"}
    body = post(ingestion.api(), [no_id, good, old, "not an object"]).json()
    assert body["accepted"] == 1
    assert [r["index"] for r in body["rejected"]] == [0, 2, 3]


def test_uncompressed_uploads_are_accepted_and_bad_bodies_refused(opa_urls, ingestion) -> None:
    client = ingestion.api()
    assert post(client, DOCS_EXAMPLE, compress=False).status_code == 202
    for raw in (b"{}", b"[]", b"not json", b"\x1f\x8b broken gzip"):
        response = post(client, None, raw=raw)
        assert response.status_code == 400, raw
        assert set(response.json()["error"]) == {"code", "message", "fields"}
    corrupt = client.generic(
        "POST", OPA_LOGS, b"garbage", content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
    )
    assert corrupt.status_code == 400


def test_only_a_source_token_may_upload(opa_urls, officer, client) -> None:
    assert post(officer.api(), DOCS_EXAMPLE).status_code == 401
    assert post(client, DOCS_EXAMPLE).status_code == 401


def test_a_backlog_of_unexpanded_batches_is_a_503_that_opa_retries(opa_urls, ingestion, settings) -> None:
    client = ingestion.api()
    data = gzip.compress(json.dumps(DOCS_EXAMPLE).encode())
    # Without the on-commit expansion the stored batch stays pending: a backlog of one.
    first = client.generic("POST", OPA_LOGS, data, content_type="application/json", HTTP_CONTENT_ENCODING="gzip")
    assert first.status_code == 202
    settings.AIMS_INGEST_MAX_BACKLOG = 0
    response = post(client, [{**DOCS_EXAMPLE[0], "decision_id": "another-decision"}])
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "backlog"
