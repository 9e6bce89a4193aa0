"""A JSON parser that refuses bodies over the configured size before reading them whole."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class LimitedJSONParser(JSONParser):
    """DRF reads the raw stream, which Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not guard: this parser does."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("The body is not valid UTF-8.") from None
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error: {exc}") from None
        # Escapes can smuggle in what the database cannot store (NUL, lone surrogates): refuse them here, as a
        # parse error, rather than as a database error later. Only bodies with escapes need the walk.
        if "\\u" in text:
            problem = _unstorable(data)
            if problem:
                name, message = problem
                raise ValidationError({name or "non_field_errors": [message]})
        return data


def _unstorable(value: Any) -> tuple[str, str] | None:
    """The dotted name of the first string the database could not store, and why; None when all can be stored."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path, "NUL characters are not allowed."
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return path, "Text must be valid Unicode (no lone surrogates)."
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                stack.append((path, key))
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}.{index}" if path else str(index), child) for index, child in enumerate(item))
    return None


def _reject_constant(name: str) -> Any:
    # NaN and Infinity are not JSON; accepting them would store values that no other client can read.
    raise ValueError(f"{name} is not valid JSON")
