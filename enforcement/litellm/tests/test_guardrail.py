"""The LiteLLM guardrail against a fake portal: bundle pull with ETag, decisions, events, failure modes."""

# ruff: noqa: S106  (fake tokens for a fake portal)

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest
from enforcement.bundle import revision
from enforcement.examples import example_bundle
from enforcement.litellm import AimsBlocked, AimsGuardrail, PortalClient
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
        if self.event_status == 202:
            self.events.extend(json.loads(gzip.decompress(body or b"")))
        return Response(self.event_status, {}, b"{}")


def guardrail(portal: FakePortal, **kwargs: Any) -> AimsGuardrail:
    client = PortalClient(base_url="https://portal.example", source_token="tok", transport=portal)
    return AimsGuardrail(client=client, hash_key=KEY, node_id="gw-1", **kwargs)


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

    client = PortalClient(base_url="https://p", source_token="t", transport=lying)
    guard = AimsGuardrail(client=client, hash_key=KEY)
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
