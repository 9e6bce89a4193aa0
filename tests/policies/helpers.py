"""Calling the gateway endpoints as a gateway does (source token), running the on-commit expansion."""

from __future__ import annotations

import json
from typing import Any

from django.test import TestCase
from django.urls import reverse

BUNDLE = "api:enforcement-bundle"
DECIDE = "api:enforcement-decide"


def decide(client: Any, body: Any, *, raw: bytes | None = None, content_type: str = "application/json") -> Any:
    data = raw if raw is not None else json.dumps(body).encode()
    # The test's transaction never commits, so run the evidence expansion as a real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.generic("POST", reverse(DECIDE), data, content_type=content_type)


def stored_events() -> list[dict[str, Any]]:
    from evidence.models import Event

    return [json.loads(e.canonical)["event"] for e in Event.objects.order_by("chain_index")]
