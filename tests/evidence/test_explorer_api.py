"""The evidence explorer's read-only API under /api/v1/evidence/: filters shared with the pages, `count`,
the error shape, and who may read what."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from controls.choices import CheckOutcome
from controls.models import ControlCheckResult
from evidence import checkpoints, signing
from tests.controls.factories import ControlImplementationFactory, RequirementFactory
from tests.evidence.checkpoint_helpers import (
    at,
    days_ago,
    ingest_on,
    key_file,  # noqa: F401  autouse: a fresh signing key, no sinks
)
from tests.evidence.helpers import decision

EVENTS = reverse("api:evidence-event-list")
SOURCES = reverse("api:evidence-source-list")
CHECKPOINTS = reverse("api:evidence-checkpoint-list")
RESULTS = reverse("api:evidence-check-result-list")


@pytest.fixture
def traffic(evidence_source):
    ingest_on(evidence_source, at(days_ago(9)), [decision(use_case="hr-screening")])
    ingest_on(
        evidence_source,
        at(days_ago(2)),
        [
            decision(decision="block"),
            decision(policy={"bundle": "northwind", "revision": "ab" * 32, "rule_ids": ["model.allowlist"]}),
        ],
    )
    ingest_on(evidence_source, datetime.now(UTC) - timedelta(hours=1), [decision()])
    return evidence_source


@pytest.fixture
def results(db):
    requirement = RequirementFactory(ref="A.6.2.8")
    logging_control = ControlImplementationFactory(code="CTL-LOG")
    logging_control.requirements.add(requirement)
    other = ControlImplementationFactory(code="CTL-PII")
    end = datetime.now(UTC)

    def result(implementation, metric: str, outcome: str, days: int) -> ControlCheckResult:
        return ControlCheckResult.objects.create(
            implementation=implementation,
            period_start=end - timedelta(days=days + 1),
            period_end=end - timedelta(days=days),
            metric=metric,
            value=Decimal("1"),
            target="= 0",
            outcome=outcome,
            source="automated:test",
        )

    return [
        result(logging_control, "events_chained", CheckOutcome.PASS, 1),
        result(logging_control, "events_chained", CheckOutcome.FAIL, 20),
        result(other, "pii_unredacted", CheckOutcome.FAIL, 2),
    ]


def test_events_list_is_paginated_with_count_and_defaults_to_seven_days(traffic, auditor) -> None:
    body = auditor.api().get(EVENTS).json()
    assert body["count"] == 3
    assert [e["chain_index"] for e in body["results"]] == [3, 2, 1]
    first = body["results"][0]
    assert first["source"] == "litellm-prod" and first["rule_ids"] == ["pii.redact"]
    assert len(first["event_hash"]) == 64 and first["canonical"].startswith('{"chain_index":3')
    paged = auditor.api().get(EVENTS, {"page_size": 2, "page": 2}).json()
    assert paged["count"] == 3 and len(paged["results"]) == 1


def test_events_api_uses_the_pages_filters(traffic, officer) -> None:
    api = officer.api()

    def indexes(**params: str) -> list[int]:
        response = api.get(EVENTS, params)
        assert response.status_code == 200, response.content
        return sorted(e["chain_index"] for e in response.json()["results"])

    assert indexes(date_from=days_ago(30).isoformat()) == [0, 1, 2, 3]
    assert indexes(date_from=days_ago(30).isoformat(), use_case="hr-screening") == [0]
    assert indexes(decision="block") == [1]
    assert indexes(rule="model.allowlist") == [2]
    assert indexes(source="litellm-prod", date_to=days_ago(1).isoformat()) == [1, 2]
    assert indexes(model="gpt-4o-mini", period="occurred") == [1, 2, 3]


def test_bad_event_filters_answer_400_in_the_error_shape(traffic, officer) -> None:
    response = officer.api().get(EVENTS, {"decision": "maybe", "date_from": "nope"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] and error["message"]
    assert set(error["fields"]) == {"decision", "date_from"}
    ordering = officer.api().get(EVENTS, {"ordering": "canonical"})
    assert ordering.status_code == 200  # ignored: only the FilterSet filters or sorts


def test_sources_api_lists_the_chain_ends(traffic, committee) -> None:
    body = committee.api().get(SOURCES).json()
    assert body["count"] == 1
    assert body["results"][0]["name"] == "litellm-prod"
    assert body["results"][0]["chain_last_index"] == 3


def test_checkpoints_api_returns_verifiable_signed_bodies(traffic, auditor) -> None:
    checkpoints.sign_due_checkpoints()
    body = auditor.api().get(CHECKPOINTS, {"date_from": days_ago(2).isoformat()}).json()
    assert body["count"] == 2
    newest = body["results"][0]
    assert newest["day"] == days_ago(1).isoformat() and newest["count"] == 0
    key = checkpoints.current_key()
    assert newest["key_fingerprint"] == key.fingerprint
    for item in body["results"]:
        assert signing.verify(key.public_raw, item["body"].encode(), item["signature"])
    assert base64.b64decode(newest["signature"])
    assert auditor.api().get(CHECKPOINTS, {"source": "missing"}).status_code == 400


def test_check_results_filter_by_implementation_control_metric_outcome_and_period(results, owner) -> None:
    api = owner.api()

    def ids(**params: str) -> list[int]:
        response = api.get(RESULTS, params)
        assert response.status_code == 200, response.content
        return sorted(r["id"] for r in response.json()["results"])

    everything = sorted(r.pk for r in results)
    assert ids() == everything
    assert ids(implementation="CTL-LOG") == everything[:2]
    assert ids(control="A.6.2.8") == everything[:2]
    assert ids(metric="pii_unredacted") == [results[2].pk]
    assert ids(outcome="fail") == [results[1].pk, results[2].pk]
    assert ids(date_from=(datetime.now(UTC) - timedelta(days=5)).date().isoformat()) == [
        results[0].pk,
        results[2].pk,
    ]
    assert api.get(RESULTS, {"outcome": "meh"}).status_code == 400
    assert api.get(RESULTS, {"date_to": "9999-12-31"}).status_code == 400


@pytest.mark.parametrize("url", [EVENTS, SOURCES, CHECKPOINTS, RESULTS])
def test_outsiders_are_refused_and_tokens_of_sources_are_not_credentials(
    url, traffic, outsider, ingestion, expired_auditor, anonymous
) -> None:
    assert outsider.api().get(url).status_code == 403
    assert ingestion.api().get(url).status_code == 401
    assert expired_auditor.api().get(url).status_code == 401
    assert anonymous.api().get(url).status_code == 401
    assert outsider.api().get(url).json()["error"]["code"]


@pytest.mark.parametrize("url", [EVENTS, SOURCES, CHECKPOINTS, RESULTS])
def test_the_api_is_read_only(url, officer) -> None:
    # 403 where the officer lacks the add_ permission (checked first), 405 where they hold it.
    assert officer.api().post(url, {}).status_code in {403, 405}
    assert officer.api().delete(url).status_code in {403, 405}


def test_the_schema_documents_the_explorer_with_its_errors(officer) -> None:
    response = officer.api().get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/evidence/events/", "/api/v1/evidence/checkpoints/", "/api/v1/evidence/check-results/"):
        responses = paths[path]["get"]["responses"]
        assert {"200", "400", "401", "403"} <= set(responses)
        assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
        assert "post" not in paths[path]
