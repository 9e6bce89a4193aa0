"""POST /api/evidence/v1/events, exactly as the evidence contract says (DESIGN.md)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from evidence import services
from evidence.choices import BatchStatus
from evidence.models import Event, IngestBatch, SourceNode
from tests.evidence.helpers import INGEST, decision, heartbeat, ingest_url, post


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _error(response) -> dict:
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_the_route_is_the_contracts_address() -> None:
    assert ingest_url() == INGEST


def test_a_valid_batch_is_accepted_stored_and_expanded_into_the_chain(ingestion, evidence_source) -> None:
    events = [decision(producer_seq=i) for i in range(1, 4)]
    response = post(ingestion.api(), events)
    assert response.status_code == 202
    body = response.json()
    assert (body["accepted"], body["duplicates"], body["rejected"]) == (3, 0, [])
    batch = IngestBatch.objects.get(pk=body["batch_id"])
    assert batch.status == BatchStatus.EXPANDED
    stored = list(Event.objects.filter(source=evidence_source).order_by("chain_index"))
    assert [e.chain_index for e in stored] == [0, 1, 2]
    assert [e.event_id for e in stored] == [e["event_id"] for e in events]
    assert json.loads(stored[0].canonical)["event"] == events[0]


def test_ndjson_and_gzip_bodies_are_accepted(ingestion) -> None:
    events = [decision(), heartbeat()]
    ndjson = "\n".join(json.dumps(e) for e in events).encode()
    response = post(
        ingestion.api(), None, content_type="application/x-ndjson", raw=gzip.compress(ndjson), encoding="gzip"
    )
    assert response.status_code == 202
    assert response.json()["accepted"] == 2


def test_a_redelivered_batch_is_counted_as_duplicates_and_stored_once(ingestion, evidence_source) -> None:
    events = [decision(), decision()]
    first = post(ingestion.api(), events).json()
    again = post(ingestion.api(), events)
    assert again.status_code == 202
    assert again.json() == {"batch_id": None, "accepted": 0, "duplicates": 2, "rejected": []}
    assert Event.objects.filter(source=evidence_source).count() == 2
    assert IngestBatch.objects.count() == 1
    assert first["accepted"] == 2


def test_a_partly_redelivered_batch_stores_only_the_new_events(ingestion, evidence_source) -> None:
    old = decision()
    post(ingestion.api(), [old])
    response = post(ingestion.api(), [old, decision()]).json()
    assert (response["accepted"], response["duplicates"]) == (1, 1)
    assert Event.objects.filter(source=evidence_source).count() == 2


def test_a_duplicate_id_inside_one_batch_is_stored_once(ingestion, evidence_source) -> None:
    event = decision()
    response = post(ingestion.api(), [event, dict(event)]).json()
    assert (response["accepted"], response["duplicates"]) == (1, 1)
    assert Event.objects.filter(source=evidence_source).count() == 1


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda e: e.update(decision="maybe"), "decision"),
        (lambda e: e.update(producer_seq="seven"), "producer_seq"),
        (lambda e: e.pop("use_case"), "use_case"),
        (lambda e: e.pop("occurred_at"), "occurred_at"),
        (lambda e: e.update(schema_version="2.0"), "schema_version"),
        (lambda e: e.update(kind="gossip"), "kind"),
        (lambda e: e.update(event_id="has spaces"), "event_id"),
        (lambda e: e.update(prompt="Tell me the customer's IBAN"), "prompt"),
        (lambda e: e.update(attributes={"messages": [{"role": "user"}]}), "prompt or response text"),
        (lambda e: e.update(attributes={"note": "x" * 600}), "raw text"),
        (lambda e: e.update(node_id="gw\x00-1"), "NUL"),
        (lambda e: e.update(occurred_at="2026-01-01T00:00:00"), "time zone"),
        (lambda e: e.update(occurred_at=(datetime.now(UTC) + timedelta(hours=1)).isoformat()), "future"),
        (lambda e: e.update(occurred_at="2019-01-01T00:00:00Z"), "retention"),
        (lambda e: e.update(producer_seq=2**60), "producer_seq"),
        (lambda e: e.update(metrics={"cost": "cheap"}), "cost"),
    ],
)
def test_a_bad_item_is_rejected_alone_with_its_index(ingestion, evidence_source, mutate, fragment: str) -> None:
    bad = decision()
    mutate(bad)
    good = decision()
    response = post(ingestion.api(), [good, bad])
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    [reject] = body["rejected"]
    assert reject["index"] == 1
    assert fragment.lower() in reject["error"].lower()
    assert list(Event.objects.filter(source=evidence_source).values_list("event_id", flat=True)) == [good["event_id"]]


def test_an_escaped_backslash_before_u0000_is_not_a_nul(ingestion) -> None:
    raw = json.dumps([decision(node_id="gw\\u0000")]).encode()
    assert b"\\\\u0000" in raw
    response = post(ingestion.api(), None, raw=raw)
    assert response.json()["accepted"] == 1


def test_an_oversized_event_is_rejected_alone(ingestion, settings) -> None:
    settings.AIMS_INGEST_MAX_EVENT_BYTES = 2048
    big = decision(attributes={f"k{i}": "v" * 100 for i in range(30)})
    response = post(ingestion.api(), [decision(), big])
    assert response.status_code == 202
    assert response.json()["rejected"][0]["index"] == 1
    assert "larger than" in response.json()["rejected"][0]["error"]


def test_an_unknown_use_case_is_accepted_but_flagged(ingestion, evidence_source) -> None:
    post(ingestion.api(), [decision(use_case="never-registered")])
    event = Event.objects.get(source=evidence_source)
    assert event.use_case == "never-registered"
    assert event.use_case_known is False


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2", b'{"event_id": "x"}', b"\xff\xfe", b"[]"])
def test_an_unparseable_body_answers_400(ingestion, raw: bytes) -> None:
    response = post(ingestion.api(), None, raw=raw)
    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


def test_a_truncated_gzip_body_answers_400(ingestion) -> None:
    packed = gzip.compress(json.dumps([decision()]).encode())
    response = post(ingestion.api(), None, raw=packed[: len(packed) // 2], encoding="gzip")
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_encoding"


def test_a_decompression_bomb_answers_413_without_inflating_it(ingestion, settings) -> None:
    settings.AIMS_INGEST_MAX_BYTES = 1024 * 1024
    bomb = gzip.compress(b"[" + b" " * (50 * 1024 * 1024) + b"]")
    assert len(bomb) < 100 * 1024
    response = post(ingestion.api(), None, raw=bomb, encoding="gzip")
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_a_body_over_the_size_cap_answers_413(ingestion, settings) -> None:
    settings.AIMS_INGEST_MAX_BYTES = 4096
    response = post(ingestion.api(), [decision() for _ in range(10)])
    assert response.status_code == 413


def test_too_many_events_answer_413(ingestion, settings) -> None:
    settings.AIMS_INGEST_MAX_EVENTS = 3
    response = post(ingestion.api(), [decision() for _ in range(4)])
    assert response.status_code == 413
    assert _error(response)["code"] == "too_many_events"
    assert IngestBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("content_type", "encoding"),
    [("text/plain", None), ("application/xml", None), ("application/json", "br"), ("application/json", "deflate")],
)
def test_a_wrong_content_type_or_encoding_answers_415(ingestion, content_type: str, encoding: str | None) -> None:
    response = post(ingestion.api(), None, raw=b"[]", content_type=content_type, encoding=encoding)
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_no_token_answers_401_with_a_challenge(db) -> None:
    response = post(APIClient(), [decision()])
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_personal_api_token_cannot_ingest(officer) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {officer.token}")
    assert post(client, [decision()]).status_code == 401
    assert post(officer.api(), [decision()]).status_code == 401


def test_a_revoked_or_expired_source_token_answers_401(ingestion, evidence_source) -> None:
    token = evidence_source.tokens.get()
    services.revoke_source_token(token=token, user=evidence_source.owner)
    assert post(ingestion.api(), [decision()]).status_code == 401


def test_a_deactivated_source_answers_403(ingestion, evidence_source) -> None:
    evidence_source.is_active = False
    evidence_source.save()
    response = post(ingestion.api(), [decision()])
    assert response.status_code == 403
    assert IngestBatch.objects.count() == 0


def test_a_token_writes_only_to_its_own_source(ingestion, evidence_source, officer) -> None:
    other = services.create_source(user=officer.user, name="other-gw", owner=officer.user, check_permission=False)
    post(ingestion.api(), [decision()])
    assert Event.objects.filter(source=evidence_source).count() == 1
    assert Event.objects.filter(source=other).count() == 0


def test_two_tokens_can_be_active_during_rotation(ingestion, evidence_source) -> None:
    _, second = services.issue_source_token(source=evidence_source, user=evidence_source.owner, check_permission=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {second}")
    assert post(client, [decision()]).status_code == 202
    assert post(ingestion.api(), [decision()]).status_code == 202


def test_a_source_over_its_rate_answers_429_with_retry_after(ingestion, evidence_source) -> None:
    evidence_source.rate_limit_per_minute = 5
    evidence_source.save()
    assert post(ingestion.api(), [decision() for _ in range(4)]).status_code == 202
    response = post(ingestion.api(), [decision() for _ in range(2)])
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert _error(response)["code"] == "throttled"
    assert Event.objects.filter(source=evidence_source).count() == 4


def test_a_backlog_past_its_threshold_answers_503_with_retry_after(ingestion, evidence_source, settings) -> None:
    settings.AIMS_INGEST_MAX_BACKLOG = 1
    for _ in range(2):
        IngestBatch.objects.create(source=evidence_source, received_at=datetime.now(UTC), item_count=1, payload="[]")
    response = post(ingestion.api(), [decision()])
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert _error(response)["code"] == "backlog"


def test_get_is_not_allowed(ingestion) -> None:
    assert ingestion.api().get(INGEST).status_code == 405


def test_heartbeats_and_sequence_holes_are_tracked_per_node(ingestion, evidence_source) -> None:
    post(ingestion.api(), [decision(producer_seq=1), decision(producer_seq=2), heartbeat(seq=5)])
    node = SourceNode.objects.get(source=evidence_source, node_id="gw-1")
    assert (node.seq_min, node.seq_max, node.seq_count) == (1, 5, 3)
    assert node.sequence_holes == 2
    assert node.counters == {"sent": 50, "spooled": 0, "dropped": 0}
    post(ingestion.api(), [decision(producer_seq=3), decision(producer_seq=4)])
    node.refresh_from_db()
    assert node.sequence_holes == 0


def test_a_registered_use_case_key_is_known(ingestion, evidence_source) -> None:
    from tests.registry.factories import UseCaseFactory

    UseCaseFactory(key="support-chat")
    post(ingestion.api(), [decision(use_case="support-chat"), decision(use_case="ghost")])
    known = dict(Event.objects.filter(source=evidence_source).values_list("use_case", "use_case_known"))
    assert known == {"support-chat": True, "ghost": False}
