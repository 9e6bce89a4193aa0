"""The LiteLLM guardrail: decide each request with the approved bundle, before it reaches the model.

The use case comes from the request metadata (`metadata.aims_use_case`), else the key's metadata
(`user_api_key_dict.metadata["aims_use_case"]`), else the `x-aims-use-case` header LiteLLM passes through.
Every text part of every message is decided on its own (so redaction keeps the message structure); the
request's single decision event takes the most severe outcome, the reasons of all parts and the summed
entity counts. No text ever enters an event or a log line.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
import uuid
from collections import Counter
from typing import Any

from enforcement.engine import Decision, Redaction, decide, fail_mode_for
from enforcement.errors import EnforcementError
from enforcement.events import decision_event, error_event

from .client import BundleCache, EventShipper, PortalClient

try:  # LiteLLM is the host; without it the class still imports, for tests and for other hosts
    from litellm.integrations.custom_guardrail import CustomGuardrail as _Base  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment

    class _Base:  # type: ignore[no-redef]
        def __init__(self, **kwargs: Any) -> None:
            self.optional_params = kwargs


SEVERITY = {"allow": 0, "redact": 1, "block": 2}
ENGINE = "aims-enforcement"


class AimsBlocked(Exception):
    """Raised to make LiteLLM refuse the request; the message names reason codes only, never content."""

    status_code = 400

    def __init__(self, codes: list[str]) -> None:
        super().__init__(f"Blocked by the AIMS policy: {', '.join(codes) or 'policy unavailable'}")
        self.codes = codes


def _use_case(data: dict[str, Any], key: Any) -> str:
    metadata = data.get("metadata") or {}
    for source in (metadata, getattr(key, "metadata", None) or {}):
        value = source.get("aims_use_case") if isinstance(source, dict) else None
        if isinstance(value, str) and value:
            return value
    headers = (metadata.get("headers") or {}) if isinstance(metadata, dict) else {}
    value = headers.get("x-aims-use-case") if isinstance(headers, dict) else None
    return value if isinstance(value, str) else ""


def _text_slots(data: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(container, key) of every text in the messages: a string content, or a `text` part of a list."""
    slots = []
    for message in data.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            slots.append((message, "content"))
        elif isinstance(content, list):
            slots.extend(
                (part, "text")
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
    return slots


def combine(results: list[Decision]) -> Decision:
    """One decision for the request: the most severe part, all reasons once, entity counts summed."""
    worst = max(results, key=lambda r: SEVERITY[r.decision])
    reasons = list(dict.fromkeys(reason for r in results for reason in r.reasons))
    counts: Counter[str] = Counter()
    for r in results:
        counts.update(r.redaction.counts)
    executed = any(r.redaction.executed for r in results)
    redaction = Redaction(executed=executed, engine=worst.redaction.engine, counts=dict(counts))
    return dataclasses.replace(worst, reasons=tuple(reasons), redaction=redaction)


class AimsGuardrail(_Base):
    def __init__(
        self,
        portal_url: str | None = None,
        source_token: str | None = None,
        hash_key: str | None = None,
        node_id: str | None = None,
        refresh_seconds: float = 30.0,
        client: PortalClient | None = None,
        **kwargs: Any,
    ) -> None:
        client = client or PortalClient(
            base_url=portal_url or os.environ["AIMS_PORTAL_URL"],
            source_token=source_token or os.environ["AIMS_SOURCE_TOKEN"],
        )
        self.bundles = BundleCache(client, refresh_seconds=refresh_seconds)
        self.events = EventShipper(client)
        self.hash_key = hash_key or os.environ.get("AIMS_HASH_KEY")
        self.node_id = node_id or os.environ.get("AIMS_NODE_ID") or "litellm"
        self.seq = 0
        super().__init__(**kwargs)

    def _next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def decide_request(self, data: dict[str, Any], key: Any = None) -> dict[str, Any]:
        """Decide and rewrite `data` in place (synchronous core of the hook); raises AimsBlocked to refuse."""
        started = time.perf_counter()
        use_case, model = _use_case(data, key), str(data.get("model") or "")
        trace_id = str((data.get("metadata") or {}).get("trace_id") or uuid.uuid4().hex)
        try:
            bundle = self.bundles.current()
        except EnforcementError:
            raise AimsBlocked(["policy_unavailable"]) from None  # no policy ever loaded: closed
        slots = _text_slots(data)
        try:
            results = [
                decide(bundle, use_case=use_case, model=model, text=c[k], hash_key=self.hash_key)
                for c, k in slots
            ] or [decide(bundle, use_case=use_case, model=model, text="", hash_key=self.hash_key)]
        except EnforcementError:
            fail_mode = fail_mode_for(bundle, use_case)
            self.events.ship(
                error_event(
                    fail_mode=fail_mode,
                    use_case=use_case,
                    bundle=bundle.name,
                    revision=bundle.revision,
                    engine=ENGINE,
                    stage="pre_call",
                    node_id=self.node_id,
                    trace_id=trace_id,
                    model_requested=model,
                    producer_seq=self._next_seq(),
                )
            )
            if fail_mode == "closed":
                raise AimsBlocked(["engine_error"]) from None
            return data
        result = combine(results)
        self.events.ship(
            decision_event(
                result,
                stage="pre_call",
                node_id=self.node_id,
                trace_id=trace_id,
                model_requested=model,
                producer_seq=self._next_seq(),
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        )
        if result.decision == "block":
            raise AimsBlocked([r.code for r in result.reasons])
        for (container, key_name), part in zip(slots, results, strict=True):
            if part.text is not None:
                container[key_name] = part.text
        return data

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict, call_type: str
    ) -> dict:
        """LiteLLM's pre-call hook: runs before the model is called; may rewrite or refuse the request."""
        if call_type not in {"completion", "acompletion", "text_completion", "atext_completion"}:
            return data
        # The bundle refresh may touch the network: keep it off the event loop.
        return await asyncio.to_thread(self.decide_request, data, user_api_key_dict)
