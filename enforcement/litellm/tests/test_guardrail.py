"""The LiteLLM guardrail against a fake portal: bundle pull with ETag, decisions, events, failure modes."""

# ruff: noqa: S106  (fake tokens for a fake portal)

from __future__ import annotations

import asyncio
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from enforcement.bundle import revision
from enforcement.examples import example_bundle
from enforcement.litellm import AimsBlocked, AimsGuardrail, EventShipper, PortalClient, Spool
from enforcement.litellm.client import Response

KEY = "k" * 32


class FakePortal:
    def __init__(self, bundle: dict[str, Any] | None) -> None:
        self.bundle = bundle
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self.events: list[dict[str, Any]] = []
        self.down = False
        self.event_status = 202

    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        self.calls.append((method, url, headers))
        if self.down:
            raise ConnectionRefusedError
        if method == "GET":
            if self.bundle is None:
                return Response(404, {}, b'{"error": {}}')
            etag = f'"{revision(self.bundle)}"'
            if headers.get("If-None-Match") == etag:
                return Response(304, {"etag": etag}, b"")
            return Response(200, {"etag": etag}, json.dumps(self.bundle).encode())
        if self.event_status != 202:
            return Response(self.event_status, {"retry-after": "3"}, b'{"error": {}}')
        accepted = duplicates = 0
        for event in json.loads(gzip.decompress(body or b"")):
            if any(e["event_id"] == event["event_id"] for e in self.events):
                duplicates += 1  # the portal stores an event id once per source
            else:
                self.events.append(event)
                accepted += 1
        reply = {"batch_id": 1, "accepted": accepted, "duplicates": duplicates, "rejected": []}
        return Response(202, {}, json.dumps(reply).encode())


@pytest.fixture(autouse=True)
def _spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIMS_SPOOL_DIR", str(tmp_path))


def guardrail(portal: Any, **kwargs: Any) -> AimsGuardrail:
    """A guardrail whose uploader is driven by the test (no background thread), spooling under tmp_path."""
    client = PortalClient(base_url="https://portal.example", source_token="tok", transport=portal)
    spool = Spool(Path(os.environ["AIMS_SPOOL_DIR"]) / "gw-1", fsync=False)
    shipper = EventShipper(client, spool, node_id="gw-1", heartbeat_seconds=0)
    return AimsGuardrail(client=client, shipper=shipper, hash_key=KEY, **kwargs)


def request(text: Any, use_case: str = "support-summaries", model: str = "gpt-4o-mini") -> dict[str, Any]:
    return {
        "model": model,
        "messages": [{"role": "user", "content": text}],
        "metadata": {"aims_use_case": use_case},
    }


def test_redacts_in_place_and_ships_a_content_free_event() -> None:
    portal = FakePortal(example_bundle())
    guard = guardrail(portal)
    data = request("Mail jane.doe@example.com please")
    out = asyncio.run(guard.async_pre_call_hook(None, None, data, "completion"))
    assert out["messages"][0]["content"] == "Mail <EMAIL_ADDRESS> please"
    assert guard.events.flush() == 1
    [event] = portal.events
    assert event["decision"] == "redact" and event["node_id"] == "gw-1" and event["producer_seq"] == 1
    assert event["policy"]["revision"] == revision(example_bundle())
    assert "jane.doe" not in json.dumps(event)
    assert portal.calls[0][2]["Authorization"] == "Bearer tok"


def test_list_content_parts_are_decided_one_by_one() -> None:
    guard = guardrail(FakePortal(example_bundle()))
    parts = [
        {"type": "text", "text": "call +44 20 7946 0958"},
        {"type": "image_url", "image_url": {"url": "x"}},
    ]
    out = guard.decide_request(request(parts))
    assert out["messages"][0]["content"][0]["text"] != "call +44 20 7946 0958"
    assert out["messages"][0]["content"][1] == parts[1]


def test_blocks_raise_with_reason_codes_only() -> None:
    guard = guardrail(FakePortal(example_bundle()))
    with pytest.raises(AimsBlocked) as raised:
        guard.decide_request(request("Card 4111 1111 1111 1111 SECRET-MARK"))
    assert "pii_blocked" in raised.value.codes and "SECRET-MARK" not in str(raised.value)
    with pytest.raises(AimsBlocked, match="model_not_allowed"):
        guard.decide_request(request("hi", model="unapproved-model"))


def test_the_bundle_is_revalidated_with_its_etag_and_kept_when_the_portal_is_down() -> None:
    clock = [0.0]
    portal = FakePortal(example_bundle())
    guard = guardrail(portal, refresh_seconds=30)
    guard.bundles.clock = lambda: clock[0]
    guard.decide_request(request("hello"))
    clock[0] = 31
    guard.decide_request(request("hello"))
    assert portal.calls[-1][2]["If-None-Match"] == f'"{revision(example_bundle())}"'
    portal.down = True
    clock[0] = 62
    guard.decide_request(request("hello"))  # the last good bundle stays in force
    assert "unreachable" in (guard.bundles.last_error or "")


def test_without_any_bundle_requests_are_refused() -> None:
    guard = guardrail(FakePortal(None))
    with pytest.raises(AimsBlocked, match="policy_unavailable"):
        guard.decide_request(request("hello"))


def test_a_bundle_whose_revision_does_not_match_its_etag_is_refused() -> None:
    portal = FakePortal(example_bundle())

    def lying(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        reply = portal(method, url, headers, body)
        return Response(reply.status, {"etag": '"' + "0" * 64 + '"'}, reply.body)

    guard = guardrail(lying)
    with pytest.raises(AimsBlocked):
        guard.decide_request(request("hello"))
    assert "ETag" in (guard.bundles.last_error or "")


def test_failed_uploads_stay_buffered_for_the_next_flush() -> None:
    portal = FakePortal(example_bundle())
    guard = guardrail(portal)
    guard.decide_request(request("hello"))
    portal.event_status = 503
    assert guard.events.flush() == 0 and guard.events.pending() == 1
    portal.event_status = 202
    assert guard.events.flush() == 1 and guard.events.pending() == 0


def test_engine_errors_follow_the_fail_mode() -> None:
    bundle = example_bundle()
    guard = guardrail(FakePortal(bundle))
    guard.hash_key = None  # the hash operator needs a key: the engine refuses
    with pytest.raises(AimsBlocked, match="engine_error"):  # support-summaries fails closed
        guard.decide_request(request("NHS 943 476 5919"))
    guard.events.flush()
    assert guard.events.pending() == 0


def _flushed(guard: AimsGuardrail, portal: FakePortal) -> list[dict[str, Any]]:
    guard.events.flush()
    return [e for e in portal.events if e["kind"] == "decision"]


def test_without_a_bundle_the_configured_fail_mode_applies_and_is_recorded() -> None:
    portal = FakePortal(None)
    closed = guardrail(portal)
    with pytest.raises(AimsBlocked, match="policy_unavailable"):
        closed.decide_request(request("hello"))
    closed.events.spool.close()
    opened = guardrail(portal, no_bundle_fail_mode="open")
    data = opened.decide_request(request("Mail jane.doe@example.com"))
    assert data["messages"][0]["content"] == "Mail jane.doe@example.com"  # let through, unredacted
    events = _flushed(opened, portal)
    assert [(e["decision"], e["fail_mode"], e["reasons"][0]["code"]) for e in events] == [
        ("error", "closed", "policy_unavailable"),
        ("error", "open", "policy_unavailable"),
    ]


def test_a_bundle_older_than_its_limit_applies_the_use_cases_fail_mode() -> None:
    clock = [0.0]
    portal = FakePortal(example_bundle())
    guard = guardrail(portal, refresh_seconds=30, max_bundle_age_seconds=300)
    guard.bundles.clock = lambda: clock[0]
    guard.decide_request(request("hello"))
    portal.down = True
    clock[0] = 301
    with pytest.raises(AimsBlocked, match="policy_stale"):  # support-summaries fails closed
        guard.decide_request(request("hello"))
    portal.down = False
    [*_, event] = _flushed(guard, portal)
    assert event["decision"] == "error" and event["policy"]["revision"] == revision(example_bundle())


def test_a_restarted_gateway_enforces_the_bundle_it_saved_while_the_portal_is_down() -> None:
    portal = FakePortal(example_bundle())
    first = guardrail(portal)
    first.decide_request(request("hello"))
    first.events.spool.close()
    portal.down = True
    second = guardrail(portal)
    out = second.decide_request(request("Mail jane.doe@example.com"))
    assert out["messages"][0]["content"] == "Mail <EMAIL_ADDRESS>"


class Key:
    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def test_the_keys_team_names_the_use_case_and_the_caller_cannot_override_it() -> None:
    portal = FakePortal(example_bundle())
    guard = guardrail(portal)
    key = Key(team_metadata={"aims_use_case": "support-summaries"}, team_alias="support", user_id="u-42")
    guard.decide_request(request("hello", use_case="something-laxer"), key)
    [event] = _flushed(guard, portal)
    assert event["use_case"] == "support-summaries" and event["actor"]["team"] == "support"
    assert event["actor"]["user_ref"] and "u-42" not in json.dumps(event)


def test_post_call_records_model_failures_and_bypasses_but_not_blocks() -> None:
    portal = FakePortal(example_bundle())
    guard = guardrail(portal)
    data = guard.decide_request(request("hello"))
    failed = {
        "call_type": "acompletion",
        "model": "gpt-4o-mini",
        "litellm_params": {"metadata": data["metadata"]},
    }
    assert guard.record_call_outcome(failed, success=False)["stage"] == "post_call"
    assert guard.record_call_outcome(failed, success=True) is None  # decided and answered: nothing more
    bypass = {"call_type": "acompletion", "model": "gpt-4o-mini", "litellm_params": {"metadata": {}}}
    event = guard.record_call_outcome(bypass, success=True)
    assert (event["stage"], event["fail_mode"], event["reasons"][0]["code"]) == (
        "model_access",
        "open",
        "no_policy_decision",
    )
    blocked = {
        "call_type": "acompletion",
        "litellm_params": {"metadata": {"aims_decision": {"decision": "block"}}},
    }
    assert guard.record_call_outcome(blocked, success=False) is None


def test_caller_supplied_names_that_the_contract_would_refuse_never_cost_the_event() -> None:
    portal = FakePortal(example_bundle())
    guard = guardrail(portal)
    data = request("hello", use_case="support\x00summaries")
    data["metadata"]["trace_id"] = "x" * 500
    data["litellm_call_id"] = "call-1"
    with pytest.raises(AimsBlocked, match="unknown_use_case"):
        guard.decide_request(data, Key(team_alias="t" * 300))
    [event] = _flushed(guard, portal)
    assert event["use_case"] == "" and event["trace_id"] == "call-1"
    assert len(event["actor"]["team"]) == 200
