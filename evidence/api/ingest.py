"""POST /api/evidence/v1/events: the ingestion endpoint of the evidence contract (DESIGN.md).

A plain Django view rather than DRF: it reads the body as a stream under a cap, and each step it skips is
measurable at 10,000 events a second. It answers 202 only after the batch is committed; every refusal uses
the API's error shape.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from aims.core.api.errors import error_body
from evidence import ingest, services

log = logging.getLogger(__name__)

JSON_TYPES = {"application/json"}
NDJSON_TYPES = {"application/x-ndjson", "application/ndjson"}
RETRY_AFTER_BACKLOG = 5
RETRY_AFTER_DATABASE = 10


def _error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def limits() -> ingest.Limits:
    return ingest.Limits(
        max_events=settings.AIMS_INGEST_MAX_EVENTS,
        max_bytes=settings.AIMS_INGEST_MAX_BYTES,
        max_event_bytes=settings.AIMS_INGEST_MAX_EVENT_BYTES,
        retention_days=settings.AIMS_EVIDENCE_RETENTION_DAYS,
    )


def rate_limited(source_id: int, per_minute: int, count: int) -> int | None:
    """Count the events against the source's budget for this minute; return seconds to wait when over."""
    now = time.time()
    window = int(now // 60)
    key = f"evidence:rate:{source_id}:{window}"
    try:
        cache.add(key, 0, timeout=120)
        try:
            used = cache.incr(key, count)
        except ValueError:  # the key expired between add and incr
            cache.set(key, count, timeout=120)
            used = count
        if used > per_minute:
            cache.decr(key, count)
            return max(1, int(60 - now % 60))
    except Exception:  # the shared cache (Redis) is down
        # Refusing evidence because the counter is unreachable would lose more than it protects: fail open.
        log.warning("evidence ingestion: rate limit not enforced, cache unavailable", exc_info=True)
    return None


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip() or " " in key.strip():
        return None
    return key.strip()


@csrf_exempt
@require_POST
def events(request: HttpRequest) -> JsonResponse:
    try:
        return _events(request)
    except (OperationalError, InterfaceError):
        log.warning("evidence ingestion: database unavailable", exc_info=True)
        return _error(
            503,
            "unavailable",
            "The evidence store is unavailable; retry later.",
            Retry_After=str(RETRY_AFTER_DATABASE),
        )


def _events(request: HttpRequest) -> JsonResponse:
    key = _bearer(request)
    if key is None:
        response = _error(401, "not_authenticated", "Send the source token as 'Authorization: Bearer <token>'.")
        response["WWW-Authenticate"] = "Bearer"
        return response
    token = services.authenticate_source(key)
    if token is None:
        response = _error(401, "authentication_failed", "Invalid, expired or revoked source token.")
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    source = token.source
    if not source.is_active:
        return _error(403, "permission_denied", "This evidence source is deactivated.")

    content_type = request.content_type or ""
    if content_type not in JSON_TYPES | NDJSON_TYPES:
        return _error(415, "unsupported_media_type", "Send application/json (an array) or application/x-ndjson.")
    encoding = request.META.get("HTTP_CONTENT_ENCODING", "identity").strip().lower()
    if encoding not in {"identity", "gzip", ""}:
        return _error(415, "unsupported_media_type", "Content-Encoding must be gzip or absent.")

    if services.pending_backlog() > settings.AIMS_INGEST_MAX_BACKLOG:
        return _error(
            503,
            "backlog",
            "Too many batches are waiting for expansion; retry later.",
            Retry_After=str(RETRY_AFTER_BACKLOG),
        )

    bounds = limits()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) or None
    except ValueError:
        return _error(400, "bad_request", "Content-Length is not a number.")
    try:
        body = ingest.read_body(request, content_length=length, gzip=encoding == "gzip", limits=bounds)
        items = ingest.split_items(body, ndjson=content_type in NDJSON_TYPES, limits=bounds)
    except ingest.BodyError as exc:
        return _error(exc.status, exc.code, exc.message)

    wait = rate_limited(source.pk, source.rate_limit_per_minute, len(items))
    if wait is not None:
        return _error(429, "throttled", "This source is over its rate limit.", Retry_After=str(wait))

    received_at = ingest.utc_now()
    parsed = ingest.validate_items(items, now=received_at, limits=bounds)
    try:
        result = services.ingest(source=source, parsed=parsed, received_at=received_at)
    except DatabaseError as exc:
        if isinstance(exc, OperationalError | InterfaceError):
            raise
        log.exception("evidence ingestion: database error")
        return _error(503, "unavailable", "The evidence store refused the batch; retry later.", Retry_After="10")
    return JsonResponse(result.as_json(), status=202)
