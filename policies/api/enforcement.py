"""Gateway endpoints under /api/enforcement/v1/: the current policy bundle, and a decision on one request.

Plain Django views with source-token authentication, like the evidence ingestion: gateways hold a source
token, not a user. Every refusal uses the API's error shape, and no response, log line or error report ever
carries the text of a request (the decide view keeps it in one local variable, marked sensitive).
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import tarfile
import time
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_POST

from evidence.api.ingest import rate_limited
from policies import gateway, selectors
from policies.api.gateway_auth import error, source_of
from policies.models import PolicyBundle

log = logging.getLogger(__name__)

OPA_TYPES = ("application/gzip", "application/x-gzip", "application/vnd.openpolicyagent.bundle")
MAX_KEY = 128
MAX_MODEL = 200


def _etag(bundle: PolicyBundle) -> str:
    return f'"{bundle.revision}"'


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    tags = [tag.strip() for tag in header.split(",")]
    # Weak comparison (RFC 9110 13.1.2): W/"x" matches "x" for If-None-Match.
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def _wants_opa(request: HttpRequest) -> bool:
    if request.GET.get("format") == "opa":
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return any(kind in accept for kind in OPA_TYPES)


def opa_tarball(bundle: PolicyBundle) -> bytes:
    """The bundle in OPA's bundle format: `.manifest` with the revision and root, and `aims/data.json`.

    Deterministic (fixed member order, times and modes), so the same revision always gives the same bytes.
    """
    manifest = {"revision": bundle.revision, "roots": ["aims"], "metadata": {"name": bundle.name}}
    members = [
        (".manifest", json.dumps(manifest, sort_keys=True).encode()),
        ("aims/data.json", json.dumps(bundle.content, sort_keys=True, ensure_ascii=False).encode()),
    ]
    mtime = int(bundle.issued_at.timestamp())
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), mtime, 0o644
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


@csrf_exempt
@require_GET
def bundle(request: HttpRequest) -> HttpResponse:
    """GET /api/enforcement/v1/bundle: the current approved bundle, with its revision as the ETag."""
    source = source_of(request)
    if isinstance(source, HttpResponse):
        return source
    current = selectors.current_bundle()
    if current is None:
        return error(404, "not_found", "No policy bundle has been approved yet.")
    etag = _etag(current)
    if _matches(request, etag):
        response = HttpResponse(status=304)
    elif _wants_opa(request):
        response = HttpResponse(opa_tarball(current), content_type="application/gzip")
        response["Content-Disposition"] = 'attachment; filename="bundle.tar.gz"'
    else:
        response = HttpResponse(
            json.dumps(current.content, ensure_ascii=False, separators=(",", ":")), content_type="application/json"
        )
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"
    response["X-AIMS-Bundle-Revision"] = current.revision
    patch_vary_headers(response, ["Accept", "Authorization"])
    return response


def _field(payload: dict[str, Any], name: str, limit: int) -> str | None:
    value = payload.get(name)
    if not isinstance(value, str) or not value or len(value) > limit or "\x00" in value:
        return None
    return value


@sensitive_variables("body", "payload", "text")
@sensitive_post_parameters()
@csrf_exempt
@require_POST
def decide(request: HttpRequest) -> HttpResponse:
    """POST /api/enforcement/v1/decide {use_case, model, text}: the decision and redacted text, recorded."""
    source = source_of(request)
    if isinstance(source, HttpResponse):
        return source
    # Each decision records an event: it counts against the source's budget like an ingested one.
    wait = rate_limited(source.pk, source.rate_limit_per_minute, 1)
    if wait is not None:
        return error(429, "throttled", "This source is over its rate limit.", Retry_After=str(wait))
    if (request.content_type or "") != "application/json":
        return error(415, "unsupported_media_type", "Send application/json.")
    try:
        body = request.body
    except RequestDataTooBig:
        return error(413, "too_large", "The body is too large.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        # The parser's message could quote the body; say only what is wrong.
        return error(400, "parse_error", "The body is not valid JSON.")
    del body
    if not isinstance(payload, dict):
        return error(400, "invalid", "Send an object {use_case, model, text}.")
    use_case = _field(payload, "use_case", MAX_KEY)
    model = _field(payload, "model", MAX_MODEL)
    text = payload.get("text")
    problems = []
    if use_case is None:
        problems.append(f"use_case must be a non-empty string of at most {MAX_KEY} characters")
    if model is None:
        problems.append(f"model must be a non-empty string of at most {MAX_MODEL} characters")
    if not isinstance(text, str):
        problems.append("text must be a string")
    if problems:
        return error(400, "invalid", "; ".join(problems) + ".")
    assert use_case is not None and model is not None and isinstance(text, str)
    started = time.perf_counter()
    try:
        compiled = gateway.loaded_bundle()
        if compiled is None:
            return error(404, "not_found", "No policy bundle has been approved yet.")
        outcome = gateway.decide_and_record(source=source, bundle=compiled, use_case=use_case, model=model, text=text)
    except DatabaseError as exc:
        # The exception's type only: a traceback's frames could name the text.
        log.error("enforcement decide: database error (%s)", type(exc).__name__)
        return error(503, "unavailable", "The decision could not be recorded; retry later.", Retry_After="10")
    except Exception as exc:
        log.error("enforcement decide: internal error (%s)", type(exc).__name__)
        return error(500, "server_error", "The decision failed.")
    finally:
        del text, payload
    response = JsonResponse(outcome.body)
    response["Server-Timing"] = f"decide;dur={(time.perf_counter() - started) * 1000:.2f}"
    if not outcome.recorded.accepted and outcome.recorded.rejected:
        # The event failed validation (e.g. a use case key the contract refuses): say so, never silently.
        response["X-AIMS-Evidence"] = "rejected"
    return response
