"""Source-token authentication for the gateway endpoints (the same tokens the evidence ingestion accepts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

from aims.core.api.errors import error_body
from evidence import services as evidence_services


def error(status: int, code: str, message: str, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(code, message), status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip() or " " in key.strip():
        return None
    return key.strip()


def source_of(request: HttpRequest) -> Any:
    """The active evidence source whose token the request carries, or the error response to send."""
    key = _bearer(request)
    if key is None:
        return error(
            401,
            "not_authenticated",
            "Send the source token as 'Authorization: Bearer <token>'.",
            WWW_Authenticate="Bearer",
        )
    token = evidence_services.authenticate_source(key)
    if token is None:
        return error(
            401,
            "authentication_failed",
            "Invalid, expired or revoked source token.",
            WWW_Authenticate='Bearer error="invalid_token"',
        )
    if not token.source.is_active:
        return error(403, "permission_denied", "This evidence source is deactivated.")
    return token.source
