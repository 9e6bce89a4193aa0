"""Redaction operators: what replaces a detected entity in the text sent on to the model.

- ``mask``: every letter and digit becomes ``*``; separators stay, so the reader still sees the shape
  ("****-****-****-****") without the value.
- ``replace``: a typed placeholder, ``<EMAIL_ADDRESS>``.
- ``hash``: a keyed pseudonym, ``<EMAIL_ADDRESS:1a2b3c4d5e6f>``. HMAC-SHA256 with a deployment key, so the
  same value maps to the same token within a deployment (the model can still tell two people apart) while
  nobody without the key can confirm a guessed value, which a plain hash of a phone number would allow.
- ``block``: nothing is rewritten; the engine turns the decision into block and returns no text.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping, Sequence

from .errors import HashKeyError
from .recognizers import EMAIL_ADDRESS, IP_ADDRESS, Span

__all__ = [
    "MIN_HASH_KEY_BYTES",
    "OPERATORS",
    "HashKeyError",
    "apply_operators",
    "coerce_key",
    "keyed_token",
    "normalize",
]

OPERATORS = frozenset({"mask", "replace", "hash", "block"})

# 128 bits: shorter keys make the pseudonyms guessable by brute force over the key.
MIN_HASH_KEY_BYTES = 16

# Hex characters of the HMAC kept in the token: 48 bits, enough to keep distinct values apart in one text.
_TOKEN_HEX_CHARS = 12


def normalize(entity_type: str, value: str) -> str:
    """Canonical form of a value, so that formatting differences do not change its pseudonym."""
    if entity_type == EMAIL_ADDRESS:
        return value.lower()
    if entity_type == IP_ADDRESS:
        try:
            return ipaddress.ip_address(value).compressed
        except ValueError:
            return value.lower()
    compact = "".join(c for c in value if c.isalnum()).upper()
    # "+44 20 ..." and "0044 20 ..." are the same international number.
    if value.startswith("00") and not value.startswith("000"):
        compact = compact[2:]
    return compact


def keyed_token(entity_type: str, value: str, key: bytes) -> str:
    """``<TYPE:hex>``: HMAC-SHA256 over the type and the normalized value, truncated."""
    # The type is part of the message so that the same digits as a phone and as an NHS number differ.
    message = f"{entity_type}\x1f{normalize(entity_type, value)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()[:_TOKEN_HEX_CHARS]
    return f"<{entity_type}:{digest}>"


def _mask(value: str) -> str:
    return "".join("*" if c.isalnum() else c for c in value)


def coerce_key(hash_key: bytes | str | None) -> bytes | None:
    """Accept the deployment key as bytes or text; reject keys too short to protect the pseudonyms."""
    if hash_key is None:
        return None
    key = hash_key.encode() if isinstance(hash_key, str) else bytes(hash_key)
    if len(key) < MIN_HASH_KEY_BYTES:
        raise HashKeyError(f"hash key must be at least {MIN_HASH_KEY_BYTES} bytes")
    return key


def apply_operators(
    text: str, spans: Sequence[Span], operator_for: Mapping[str, str], key: bytes | None
) -> str:
    """Rewrite ``text`` with each span replaced per its entity type's operator (spans sorted, disjoint)."""
    if not spans:
        return text
    parts: list[str] = []
    position = 0
    for span in spans:
        operator = operator_for[span.entity_type]
        value = text[span.start : span.end]
        if operator == "replace":
            replacement = f"<{span.entity_type}>"
        elif operator == "mask":
            replacement = _mask(value)
        elif operator == "hash":
            if key is None:
                raise HashKeyError("the policy uses the hash operator but no hash key was given")
            replacement = keyed_token(span.entity_type, value, key)
        else:  # "block" never reaches here: the engine blocks before rewriting
            raise ValueError(f"operator {operator!r} does not rewrite text")
        parts.append(text[position : span.start])
        parts.append(replacement)
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
