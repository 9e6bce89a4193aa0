"""What the portal does for gateways: decide one request with the current bundle, and record events.

The raw text of a request exists only in memory here: it is passed to `enforcement.engine.decide`, and only
the redacted text goes back to the caller. It is never logged, stored or put in an event or error message (the
event builder has no parameter through which text could enter).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from enforcement.bundle import Bundle, load_bundle
from enforcement.engine import decide as engine_decide
from enforcement.engine import fail_mode_for
from enforcement.errors import EnforcementError
from enforcement.events import decision_event, error_event
from evidence import ingest as evidence_ingest
from evidence import services as evidence_services
from evidence.api.ingest import limits
from policies import selectors

NODE_ID = "aims-portal"
ENGINE = "aims-enforcement"

_lock = threading.Lock()
_loaded: dict[str, Bundle] = {}


def hash_key() -> bytes:
    """The key of the `hash` operator: a setting, else one derived from SECRET_KEY (stable per deployment)."""
    configured = getattr(settings, "AIMS_DECIDE_HASH_KEY", None)
    if configured:
        return configured.encode() if isinstance(configured, str) else bytes(configured)
    return hmac.new(settings.SECRET_KEY.encode(), b"aims.policies.decide.hash-key", hashlib.sha256).digest()


def loaded_bundle() -> Bundle | None:
    """The current bundle, compiled once per revision and shared by every request."""
    current = selectors.current_bundle()
    if current is None:
        return None
    with _lock:
        bundle = _loaded.get(current.revision)
        if bundle is None:
            bundle = load_bundle(current.content)
            _loaded.clear()  # only the current revision is needed
            _loaded[current.revision] = bundle
    return bundle


def record_events(*, source: Any, events: list[dict[str, Any]]) -> evidence_services.IngestResult:
    """Store events through the ingestion path the evidence contract defines (validation, dedupe, chain)."""
    import msgspec

    items = [msgspec.json.encode(event) for event in events]
    received_at = evidence_ingest.utc_now()
    parsed = evidence_ingest.validate_items(items, now=received_at, limits=limits())
    return evidence_services.ingest(source=source, parsed=parsed, received_at=received_at)


@dataclass(frozen=True)
class Outcome:
    body: dict[str, Any]
    recorded: evidence_services.IngestResult


def decide_and_record(*, source: Any, bundle: Bundle, use_case: str, model: str, text: str) -> Outcome:
    """Apply the bundle to one request and record the decision event (never the text) as the source."""
    started = time.perf_counter()
    trace_id = uuid.uuid4().hex
    try:
        result = engine_decide(bundle, use_case=use_case, model=model, text=text, hash_key=hash_key())
    except EnforcementError:
        # The engine's messages never carry text, but nothing of it is needed here either.
        fail_mode = fail_mode_for(bundle, use_case)
        event = error_event(
            fail_mode=fail_mode,
            use_case=use_case,
            bundle=bundle.name,
            revision=bundle.revision,
            engine=ENGINE,
            stage="pre_call",
            node_id=NODE_ID,
            trace_id=trace_id,
            model_requested=model,
            latency_ms=round((time.perf_counter() - started) * 1000, 3),
        )
        body = {
            "decision": "error",
            "text": None,
            "reasons": event["reasons"],
            "redaction": event["redaction"],
            "revision": bundle.revision,
            "fail_mode": fail_mode,
        }
        return Outcome(body, record_events(source=source, events=[event]))
    latency = round((time.perf_counter() - started) * 1000, 3)
    event = decision_event(
        result, stage="pre_call", node_id=NODE_ID, trace_id=trace_id, model_requested=model, latency_ms=latency
    )
    data = result.to_dict()
    body = {
        "decision": data["decision"],
        "text": data["text"],
        "reasons": data["reasons"],
        "redaction": data["redaction"],
        "revision": data["revision"],
        "rule_ids": data["rule_ids"],
        "fail_mode": result.fail_mode,
        "event_id": event["event_id"],
    }
    return Outcome(body, record_events(source=source, events=[event]))
