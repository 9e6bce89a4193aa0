"""The fast canonical form is byte for byte the reference RFC 8785 form, on ordinary and hostile inputs."""

from __future__ import annotations

import json
import random

import pytest
import rfc8785

from evidence import canonical
from tests.evidence.helpers import decision, heartbeat

AWKWARD = [
    {"metrics": {"latency_ms": 1.0, "cost": "0.1"}},
    {"numbers": [0.1, 1e21, 1e-7, 123456789.125, -0.0, 5e-324, 1.7976931348623157e308, 100.0, 2.5e-5]},
    {"ints": [0, -1, 9007199254740991, -9007199254740991]},
    {"strings": ["\u0000\u001f\u007f\u2028\u2029", 'quote " backslash \\ slash /', "é ñ 中文 😀"]},
    {"\ue000": 1, "\U0001f600": 2, "a": 3, "\u00e9": 4},
    {"nested": {"b": [{"z": 1, "a": {"\uffff": True, "\U00010000": False}}], "a": None}},
    {"escaped key \\ud83d\\ude00": "raw"},
]


def _reference(item: object) -> bytes:
    return rfc8785.dumps(
        {"source": "s", "chain_index": 7, "received_at": "2026-01-01T00:00:00.000000Z", "event": item}
    )


def _fast(raw: bytes) -> bytes:
    return canonical.envelope("s", 7, "2026-01-01T00:00:00.000000Z", raw, canonical.decode_item(raw))


@pytest.mark.parametrize("item", [decision(), heartbeat(), *AWKWARD])
def test_the_fast_form_equals_the_reference(item: dict) -> None:
    for raw in (json.dumps(item).encode(), json.dumps(item, ensure_ascii=False).encode()):
        assert _fast(raw) == _reference(json.loads(raw))


def test_random_documents_match_the_reference() -> None:
    rng = random.Random(42)
    alphabet = ["a", "b", "Z", "_", "é", "\u2028", "\ue000", "\uffff", "\U0001f600", "\x01", '"', "\\"]

    def value(depth: int) -> object:
        kind = rng.randrange(7 if depth < 3 else 4)
        if kind == 0:
            return rng.choice([rng.randint(-(2**53) + 1, 2**53 - 1), rng.randint(-1000, 1000)])
        if kind == 1:
            return rng.choice(
                [rng.uniform(-1e6, 1e6), rng.random() * 10 ** rng.randint(-30, 30), float(rng.randint(0, 99))]
            )
        if kind == 2:
            return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        if kind == 3:
            return rng.choice([True, False, None])
        if kind in (4, 5):
            return {
                "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4))): value(depth + 1) for _ in range(4)
            }
        return [value(depth + 1) for _ in range(rng.randint(0, 4))]

    for _ in range(2000):
        item = {"attributes": value(0), "x": value(0)}
        for raw in (json.dumps(item).encode(), json.dumps(item, ensure_ascii=False).encode()):
            assert _fast(raw) == _reference(json.loads(raw)), raw
