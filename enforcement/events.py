"""Decision events per the evidence contract (v1): the operating evidence a gateway pushes to the portal.

An event ties one decision to the approved policy (bundle name, revision, rule ids) and so to the controls
that the rules implement. It never carries prompt or response text: the portal rejects an event that does,
and the builder has no parameter through which text could enter. ``content_digest`` is the only trace of
the content: a keyed HMAC of the redacted text, which lets an auditor holding the key confirm a sampled
text without the evidence store ever holding it.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .engine import Decision

__all__ = ["DECISIONS", "SCHEMA_VERSION", "STAGES", "content_digest", "decision_event", "error_event"]

SCHEMA_VERSION = "1.0"
STAGES = frozenset({"pre_call", "post_call", "model_access", "auth"})
DECISIONS = frozenset({"allow", "redact", "block", "error"})


def content_digest(text: str, key: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the (redacted) text under the deployment's digest key."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def decision_event(
    result: Decision,
    *,
    stage: str,
    node_id: str,
    trace_id: str,
    model_requested: str,
    model_used: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    actor: Mapping[str, str | None] | None = None,
    latency_ms: float = 0.0,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost: Decimal | int | str = "0",
    producer_seq: int | None = None,
    digest_key: bytes | None = None,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the event for a ``decide`` result (``digest_key`` adds ``content_digest`` to returned text)."""
    digest = None
    if digest_key is not None and result.text is not None:
        digest = content_digest(result.text, digest_key)
    return _event(
        decision=result.decision,
        fail_mode=result.fail_mode,
        use_case=result.use_case,
        bundle=result.bundle,
        revision=result.revision,
        rule_ids=list(result.rule_ids),
        reasons=[r.to_dict() for r in result.reasons],
        redaction=result.redaction.to_dict(),
        stage=stage,
        node_id=node_id,
        trace_id=trace_id,
        model_requested=model_requested,
        model_used=model_used,
        provider=provider,
        region=region,
        actor=actor,
        latency_ms=latency_ms,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cost=cost,
        producer_seq=producer_seq,
        content_digest=digest,
        event_id=event_id,
        occurred_at=occurred_at,
        attributes=attributes,
    )


def error_event(
    *,
    fail_mode: str,
    use_case: str,
    bundle: str,
    revision: str,
    engine: str,
    stage: str,
    node_id: str,
    trace_id: str,
    model_requested: str,
    reason_code: str = "engine_error",
    **context: Any,
) -> dict[str, Any]:
    """Build the event for a request the engine could not decide (decision ``error``).

    ``fail_mode`` records what the gateway then did: ``open`` let the request through unredacted, ``closed``
    refused it. A fail-open count is one of the automated control checks, so it must be visible here.
    """
    return _event(
        decision="error",
        fail_mode=fail_mode,
        use_case=use_case,
        bundle=bundle,
        revision=revision,
        rule_ids=[],
        reasons=[{"code": reason_code, "rule_id": None}],
        redaction={"executed": False, "engine": engine, "counts": {}},
        stage=stage,
        node_id=node_id,
        trace_id=trace_id,
        model_requested=model_requested,
        content_digest=None,
        **context,
    )


def _event(
    *,
    decision: str,
    fail_mode: str,
    use_case: str,
    bundle: str,
    revision: str,
    rule_ids: list[str],
    reasons: list[dict[str, Any]],
    redaction: dict[str, Any],
    stage: str,
    node_id: str,
    trace_id: str,
    model_requested: str,
    content_digest: str | None,
    model_used: str | None = None,
    provider: str | None = None,
    region: str | None = None,
    actor: Mapping[str, str | None] | None = None,
    latency_ms: float = 0.0,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost: Decimal | int | str = "0",
    producer_seq: int | None = None,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {sorted(STAGES)}")
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {sorted(DECISIONS)}")
    if fail_mode not in ("open", "closed"):
        raise ValueError("fail_mode must be 'open' or 'closed'")
    if not node_id or not trace_id:
        raise ValueError("node_id and trace_id are required")
    actor = actor or {}
    event: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "decision",
        "event_id": event_id or str(uuid.uuid4()),
        "occurred_at": _rfc3339(occurred_at or datetime.now(UTC)),
        "node_id": node_id,
        "producer_seq": producer_seq,
        "trace_id": trace_id,
        "stage": stage,
        "decision": decision,
        "fail_mode": fail_mode,
        "use_case": use_case,
        "actor": {
            "team": actor.get("team"),
            "key_alias": actor.get("key_alias"),
            "user_ref": actor.get("user_ref"),
        },
        "model": {
            "requested": model_requested,
            "used": model_used if model_used is not None else model_requested,
            "provider": provider,
            "region": region,
        },
        "policy": {"bundle": bundle, "revision": revision, "rule_ids": list(rule_ids)},
        "reasons": reasons,
        "redaction": redaction,
        "metrics": {
            "latency_ms": latency_ms,
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cost": _decimal_string(cost),
        },
        "attributes": dict(attributes or {}),
    }
    if content_digest is not None:
        event["content_digest"] = content_digest
    return event


def _rfc3339(moment: datetime) -> str:
    """RFC 3339 UTC with a ``Z`` suffix and microseconds; naive datetimes are refused, not guessed."""
    if moment.tzinfo is None:
        raise ValueError("occurred_at must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _decimal_string(cost: Decimal | int | str) -> str:
    # Cost is money: a decimal string, never a float, so that sums in the portal are exact.
    if isinstance(cost, float | bool):
        raise TypeError("cost must be a Decimal, an int or a decimal string, not a float")
    try:
        value = Decimal(cost)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValueError("cost must be a decimal number") from exc
    if not value.is_finite() or value < 0:
        raise ValueError("cost must be a finite, non-negative decimal")
    return format(value, "f")
