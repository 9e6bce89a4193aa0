"""RFC 8785 JSON Canonicalization Scheme (JCS), standard library only.

The bundle revision and the evidence chain hash the JCS form of JSON objects, so the gateway and the portal
must produce byte-identical output. The portal may use the ``rfc8785`` package; this module exists so that
the engine keeps zero runtime dependencies. The tests cross-check both when ``rfc8785`` is installed.

Differences from ``json.dumps`` that JCS requires:
- object members sorted by the UTF-16 code units of their names, not by code points;
- numbers serialised as ECMAScript's ``Number.prototype.toString`` does (``1e+21``, ``1.5e-7``, ``-0`` as
  ``0``), and integers limited to the range a double represents exactly;
- no whitespace, and non-ASCII characters written as UTF-8, not ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

__all__ = ["CanonicalizationError", "canonicalize"]

# Integers beyond 2**53 - 1 cannot round-trip through an IEEE double, which is what JCS numbers are.
_MAX_SAFE_INTEGER = 2**53 - 1

# json's string encoder already escapes exactly what JCS asks for: '"', '\\', and control characters
# (with the short forms \b \t \n \f \r and lowercase \u00xx otherwise), leaving everything else literal.
_encode_string = json.JSONEncoder(ensure_ascii=False).encode


class CanonicalizationError(ValueError):
    """The value cannot be expressed in canonical JSON (NaN, a huge integer, a non-string key...)."""


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 bytes of a JSON-compatible value."""
    parts: list[str] = []
    _write(value, parts)
    try:
        return "".join(parts).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate is not valid Unicode text
        raise CanonicalizationError("string contains a lone surrogate") from exc


def _write(value: Any, out: list[str]) -> None:
    # bool before int: bool is a subclass of int in Python.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise CanonicalizationError("integer outside the IEEE double exact range")
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_format_number(value))
    elif isinstance(value, dict):
        out.append("{")
        keys = list(value)
        for key in keys:
            if not isinstance(key, str):
                raise CanonicalizationError("object keys must be strings")
        keys.sort(key=lambda k: k.encode("utf-16-be"))
        for index, key in enumerate(keys):
            if index:
                out.append(",")
            out.append(_encode_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise CanonicalizationError(f"unsupported type {type(value).__name__}")


def _format_number(value: float) -> str:
    """Format a double like ECMAScript's Number.prototype.toString (ECMA-262, 7.1.12.1)."""
    if not math.isfinite(value):
        raise CanonicalizationError("NaN and infinities are not JSON numbers")
    if value == 0:
        return "0"  # also for -0.0
    sign = "-" if value < 0 else ""
    # repr() yields the shortest digit string that round-trips, the same digits ECMAScript picks;
    # Decimal splits it into significant digits and a power of ten without float arithmetic.
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    # n is the position of the decimal point relative to the first significant digit.
    n = len(digits) + int(exponent)
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    exp = n - 1
    exp_str = f"e+{exp}" if exp >= 0 else f"e-{-exp}"
    if k == 1:
        return sign + digits + exp_str
    return sign + digits[0] + "." + digits[1:] + exp_str
