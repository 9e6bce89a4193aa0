"""RFC 8785 (JCS) bytes of an envelope, fast: the expansion writes every event through here.

The `rfc8785` package is the reference, but at about 50 µs an event it would cap a worker near 10,000 events
a second before any database work. msgspec's sorted encoder produces identical bytes for JSON text (same
escapes, literal UTF-8) in about 2 µs, with two exceptions that are handled here:

- numbers with a fraction or exponent: msgspec would re-emit their text, JCS formats the double the way
  ECMAScript does; the decoder's float hook hands each one to `rfc8785` (integers are identical);
- object keys containing characters at or above U+E000: JCS orders keys by UTF-16 code units, msgspec by code
  points, and the two orders differ only there. An item with such a character anywhere (literal or escaped)
  takes the reference path instead; tests/evidence/test_canonical.py compares both on hostile inputs.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec
import rfc8785

_encoder = msgspec.json.Encoder(order="sorted")
_decoder = msgspec.json.Decoder(float_hook=lambda text: msgspec.Raw(rfc8785.dumps(float(text))))
# UTF-8 lead bytes of U+E000..U+10FFFF, and JSON escapes of U+E000..U+FFFF or of surrogate halves.
_HIGH_CHARACTERS = re.compile(rb"[\xee-\xf4]|\\u[eEfF]|\\u[dD][89abAB]")


def decode_item(raw: bytes) -> Any:
    """The item as a JSON value whose floats are already in JCS form (msgspec.Raw)."""
    return _decoder.decode(raw)


def _needs_reference(raw_item: bytes) -> bool:
    # Nearly every item is ASCII without \u escapes; two C-speed scans settle that before any regex runs.
    if raw_item.isascii() and b"\\u" not in raw_item:
        return False
    return _HIGH_CHARACTERS.search(raw_item) is not None


def envelope(source: str, chain_index: int, received_at: str, raw_item: bytes, item: Any) -> bytes:
    if _needs_reference(raw_item):
        event = json.loads(raw_item)
        return rfc8785.dumps(
            {"source": source, "chain_index": chain_index, "received_at": received_at, "event": event}
        )
    return _encoder.encode({"source": source, "chain_index": chain_index, "received_at": received_at, "event": item})
