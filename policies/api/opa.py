"""POST /api/evidence/v1/opa/logs: Open Policy Agent's native decision-log upload, as evidence events.

OPA's decision-log plugin posts a gzip-compressed JSON array (openpolicyagent.org/docs, "Decision Logs").
Each OPA decision becomes a decision event of the evidence contract and goes through the same validation,
dedupe and hash chain as the gateway's own events: `decision_id` is the event id (so a re-sent chunk is a
duplicate, not a second record), and the revision of the bundle that decided is kept in `policy.revision`.

OPA logs carry the query `input` and the `result`, which may hold request content. Neither is stored: only the
use case and model named in the input, a decision derived from the result, OPA's labels and the performance
metrics are kept (DESIGN.md: evidence never holds prompt or response text).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from evidence import ingest
from evidence import services as evidence_services
from evidence.api.ingest import limits, rate_limited
from policies.api.gateway_auth import error, source_of

log = logging.getLogger(__name__)

DECISIONS = {"allow", "redact", "block", "error"}
EVENT_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_FRACTION = re.compile(r"(\.\d{6})\d+")  # OPA writes nanoseconds; the contract's parser reads microseconds
LABEL_LIMIT = 200


def _short(value: Any, limit: int = LABEL_LIMIT) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def _decision(result: Any, present: bool) -> tuple[str, str | None]:
    """allow/block/redact from OPA's result where it says so; `error` (with a reason) where it cannot."""
    if not present:
        return "error", "opa_undefined"  # OPA logs an undefined decision without a `result`
    if isinstance(result, str) and result.lower() in {"true", "false"}:
        result = result.lower() == "true"  # the documentation's own example writes "true" as a string
    if isinstance(result, bool):
        return ("allow", None) if result else ("block", "opa_deny")
    if isinstance(result, dict):
        named = result.get("decision")
        if isinstance(named, str) and named in DECISIONS:
            return named, "opa_deny" if named == "block" else None
        allow = result.get("allow", result.get("allowed"))
        if isinstance(allow, bool):
            return ("allow", None) if allow else ("block", "opa_deny")
    return "error", "opa_result_not_mapped"


def to_event(item: Any) -> dict[str, Any] | str:
    """The evidence event for one OPA decision, or why it cannot be one."""
    if not isinstance(item, dict):
        return "an OPA decision must be an object"
    decision_id = item.get("decision_id")
    if not isinstance(decision_id, str) or not EVENT_ID.match(decision_id):
        return "decision_id is missing or not a usable id"
    timestamp = item.get("timestamp")
    if not isinstance(timestamp, str):
        return "timestamp is missing"
    inputs = item.get("input") if isinstance(item.get("input"), dict) else {}
    labels = item.get("labels") if isinstance(item.get("labels"), dict) else {}
    path = _short(item.get("path"), 128)
    decision, reason = _decision(item.get("result"), "result" in item)
    bundle_name, bundle_revision = None, None
    bundles = item.get("bundles")
    if isinstance(bundles, dict):
        for name, meta in sorted(bundles.items()):
            if isinstance(meta, dict) and isinstance(meta.get("revision"), str):
                bundle_name, bundle_revision = name, meta["revision"]
                break
        else:
            bundle_name = next(iter(sorted(bundles)), None)
    metrics = item.get("metrics") if isinstance(item.get("metrics"), dict) else {}
    handler_ns = metrics.get("timer_server_handler_ns")
    latency = round(handler_ns / 1e6, 6) if isinstance(handler_ns, int | float) and handler_ns >= 0 else None
    attributes: dict[str, Any] = {"source_format": "opa"}
    label_values = {k[:64]: v[:LABEL_LIMIT] for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)}
    if label_values:
        attributes["opa_labels"] = label_values
    if bundle_revision is not None and len(bundle_revision) > 128:
        attributes["opa_bundle_revision"] = bundle_revision[:512]
        bundle_revision = None
    for field in ("erased", "masked"):
        pointers = item.get(field)
        if isinstance(pointers, list):
            attributes[f"opa_{field}"] = [p[:LABEL_LIMIT] for p in pointers if isinstance(p, str)][:50]
    use_case = _short(inputs.get("use_case"), 128) or ""
    model = _short(inputs.get("model"))
    node = _short(labels.get("id"), 128) or "opa"
    return {
        "schema_version": "1.0",
        "kind": "decision",
        "event_id": decision_id,
        "occurred_at": _FRACTION.sub(r"\1", timestamp),
        "node_id": node,
        "trace_id": _short(item.get("trace_id"), 128) or decision_id,
        "stage": "pre_call",
        "decision": decision,
        "fail_mode": "closed",
        "use_case": use_case,
        "model": {"requested": model, "used": model, "provider": None, "region": None},
        "policy": {"bundle": bundle_name, "revision": bundle_revision, "rule_ids": [path] if path else []},
        "reasons": [{"code": reason, "rule_id": path}] if reason else [],
        "metrics": {"latency_ms": latency},
        "attributes": attributes,
    }


def _body(request: HttpRequest) -> bytes | JsonResponse:
    encoding = request.META.get("HTTP_CONTENT_ENCODING", "identity").strip().lower()
    if encoding not in {"identity", "gzip", ""}:
        return error(415, "unsupported_media_type", "Content-Encoding must be gzip or absent.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) or None
    except ValueError:
        return error(400, "bad_request", "Content-Length is not a number.")
    try:
        return ingest.read_body(request, content_length=length, gzip=encoding == "gzip", limits=limits())
    except ingest.BodyError as exc:
        return error(exc.status, exc.code, exc.message)


@csrf_exempt
@require_POST
def logs(request: HttpRequest) -> HttpResponse:
    source = source_of(request)
    if isinstance(source, HttpResponse):
        return source
    if (request.content_type or "") != "application/json":
        return error(415, "unsupported_media_type", "Send OPA's decision logs as application/json.")
    if evidence_services.pending_backlog() > settings.AIMS_INGEST_MAX_BACKLOG:
        # OPA requeues the chunk on a non-2xx answer, so shedding load here loses nothing.
        return error(503, "backlog", "Too many batches are waiting for expansion; retry later.", Retry_After="5")
    body = _body(request)
    if isinstance(body, HttpResponse):
        return body
    try:
        items = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return error(400, "parse_error", "The body is not a JSON array.")
    if not isinstance(items, list) or not items:
        return error(400, "parse_error", "The body must be a non-empty JSON array of OPA decisions.")
    bounds = limits()
    if len(items) > bounds.max_events:
        return error(413, "too_many_events", f"A batch holds at most {bounds.max_events} decisions.")
    wait = rate_limited(source.pk, source.rate_limit_per_minute, len(items))
    if wait is not None:
        # OPA keeps the chunk and retries it later, so refusing it here loses nothing.
        return error(429, "throttled", "This source is over its rate limit.", Retry_After=str(wait))
    mapped: list[bytes] = []
    refused: list[dict[str, Any]] = []
    positions: list[int] = []
    for index, item in enumerate(items):
        event = to_event(item)
        if isinstance(event, str):
            refused.append({"index": index, "event_id": None, "error": event})
            continue
        positions.append(index)
        mapped.append(json.dumps(event, separators=(",", ":")).encode())
    received_at = ingest.utc_now()
    parsed = ingest.validate_items(mapped, now=received_at, limits=bounds)
    for reject in parsed.rejected:  # report indexes of the upload, not of the mapped list
        reject["index"] = positions[reject["index"]]
    parsed.accepted = [(positions[i], eid, raw, ev) for i, eid, raw, ev in parsed.accepted]
    parsed.rejected = sorted(refused + parsed.rejected, key=lambda r: r["index"])
    try:
        result = evidence_services.ingest(source=source, parsed=parsed, received_at=received_at)
    except (OperationalError, InterfaceError, DatabaseError):
        log.warning("OPA decision logs: database unavailable", exc_info=True)
        return error(503, "unavailable", "The evidence store is unavailable; retry later.", Retry_After="10")
    return JsonResponse(result.as_json(), status=202)
