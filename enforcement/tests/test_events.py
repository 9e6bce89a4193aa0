"""Decision events follow the evidence contract and never carry text."""

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from enforcement import ENGINE_NAME
from enforcement.bundle import load_bundle
from enforcement.engine import decide
from enforcement.events import content_digest, decision_event, error_event
from enforcement.examples import example_bundle

BUNDLE = load_bundle(example_bundle())
KEY = b"deployment-key-0123456789abcdef"
CONTRACT_FIELDS = {
    "schema_version",
    "kind",
    "event_id",
    "occurred_at",
    "node_id",
    "producer_seq",
    "trace_id",
    "stage",
    "decision",
    "fail_mode",
    "use_case",
    "actor",
    "model",
    "policy",
    "reasons",
    "redaction",
    "metrics",
    "attributes",
}


def make_event(text: str = "mail jane@example.com", **kwargs):  # type: ignore[no-untyped-def]
    result = decide(BUNDLE, use_case="support-summaries", model="gpt-4o-mini", text=text, hash_key=KEY)
    context = dict(stage="pre_call", node_id="gw-1", trace_id="t-1", model_requested="gpt-4o-mini")
    context.update(kwargs)
    return result, decision_event(result, **context)


def test_it_has_exactly_the_contract_fields() -> None:
    _, event = make_event()
    assert set(event) == CONTRACT_FIELDS
    assert event["schema_version"] == "1.0"
    assert event["kind"] == "decision"
    uuid.UUID(event["event_id"])
    assert event["actor"] == {"team": None, "key_alias": None, "user_ref": None}
    assert set(event["model"]) == {"requested", "used", "provider", "region"}
    assert set(event["metrics"]) == {"latency_ms", "prompt_tokens", "completion_tokens", "cost"}


def test_it_ties_the_decision_to_the_policy_revision_and_rules() -> None:
    result, event = make_event()
    assert event["policy"] == {
        "bundle": "example-policy",
        "revision": BUNDLE.revision,
        "rule_ids": list(result.rule_ids),
    }
    assert event["decision"] == "redact"
    assert event["reasons"] == [{"code": "pii_redacted", "rule_id": "R-PII"}]
    assert event["redaction"] == {"executed": True, "engine": ENGINE_NAME, "counts": {"EMAIL_ADDRESS": 1}}
    assert event["fail_mode"] == "closed"
    assert event["use_case"] == "support-summaries"


def test_it_never_carries_prompt_or_redacted_text() -> None:
    result, event = make_event(digest_key=KEY)
    serialized = json.dumps(event)
    assert "jane" not in serialized
    assert result.text is not None and result.text not in serialized
    assert event["content_digest"] == content_digest(result.text, KEY)


def test_it_writes_rfc3339_utc_with_z() -> None:
    moment = datetime(2025, 1, 15, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    _, event = make_event(occurred_at=moment)
    assert event["occurred_at"] == "2025-01-15T09:00:00.123456Z"
    with pytest.raises(ValueError, match="timezone"):
        make_event(occurred_at=datetime(2025, 1, 15))


def test_it_writes_cost_as_a_decimal_string() -> None:
    _, event = make_event(cost=Decimal("0.000150"), prompt_tokens=12, latency_ms=0.4)
    assert event["metrics"] == {
        "latency_ms": 0.4,
        "prompt_tokens": 12,
        "completion_tokens": 0,
        "cost": "0.000150",
    }
    with pytest.raises(TypeError):
        make_event(cost=0.1)


def test_it_validates_stage() -> None:
    with pytest.raises(ValueError, match="stage"):
        make_event(stage="somewhere")


def test_it_builds_error_events_recording_the_fail_mode() -> None:
    event = error_event(
        fail_mode="open",
        use_case="code-assistant",
        bundle=BUNDLE.name,
        revision=BUNDLE.revision,
        engine=ENGINE_NAME,
        stage="pre_call",
        node_id="gw-1",
        trace_id="t-2",
        model_requested="gpt-4o",
        occurred_at=datetime.now(UTC),
    )
    assert set(event) == CONTRACT_FIELDS
    assert event["decision"] == "error"
    assert event["fail_mode"] == "open"
    assert event["redaction"]["executed"] is False
