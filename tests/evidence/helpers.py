"""Building decision events and posting them the way a gateway does."""

from __future__ import annotations

import gzip
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import TestCase
from django.urls import reverse
from rest_framework.test import APIClient

INGEST = "/api/evidence/v1/events"


def decision(**overrides: Any) -> dict[str, Any]:
    event = {
        "schema_version": "1.0",
        "kind": "decision",
        "event_id": str(uuid.uuid4()),
        "occurred_at": (datetime.now(UTC) - timedelta(seconds=5)).isoformat().replace("+00:00", "Z"),
        "node_id": "gw-1",
        "producer_seq": 1,
        "trace_id": uuid.uuid4().hex,
        "stage": "pre_call",
        "decision": "redact",
        "fail_mode": "closed",
        "use_case": "support-chat",
        "actor": {"team": "support", "key_alias": "support-bot", "user_ref": "u-7f3a"},
        "model": {"requested": "gpt-4o-mini", "used": "gpt-4o-mini", "provider": "openai", "region": "eu"},
        "policy": {"bundle": "northwind", "revision": "ab" * 32, "rule_ids": ["pii.redact"]},
        "reasons": [{"code": "pii_redacted", "rule_id": "pii.redact"}],
        "redaction": {"executed": True, "engine": "aims-enforcement/0.1.0", "counts": {"EMAIL_ADDRESS": 1}},
        "metrics": {"latency_ms": 3.2, "prompt_tokens": 120, "completion_tokens": 80, "cost": "0.00042"},
        "attributes": {},
    }
    event.update(overrides)
    return event


def heartbeat(seq: int = 1, **overrides: Any) -> dict[str, Any]:
    event = {
        "schema_version": "1.0",
        "kind": "heartbeat",
        "event_id": str(uuid.uuid4()),
        "occurred_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "node_id": "gw-1",
        "producer_seq": seq,
        "counters": {"sent": seq * 10, "spooled": 0, "dropped": 0},
    }
    event.update(overrides)
    return event


def post(
    client: APIClient,
    body: Any,
    *,
    content_type: str = "application/json",
    encoding: str | None = None,
    raw: bytes | None = None,
) -> Any:
    data = raw if raw is not None else json.dumps(body).encode()
    extra = {}
    if encoding == "gzip" and raw is None:
        data = gzip.compress(data)
    if encoding:
        extra["HTTP_CONTENT_ENCODING"] = encoding
    # The test's transaction never commits, so run the on-commit expansion as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.generic("POST", INGEST, data, content_type=content_type, **extra)


def ingest_url() -> str:
    return reverse("api:evidence-ingest")
