"""The hash chain of DESIGN.md (Chain and integrity). Pure functions: the expansion writes with them, and
verify_evidence and the pack's verify.py recompute with the same rules.

    envelope   = {"source": name, "chain_index": n, "received_at": "<RFC 3339 µs Z>", "event": <as received>}
    leaf       = SHA-256(JCS(envelope))
    event_hash = SHA-256(prev_hash || leaf)        first prev_hash: 32 zero bytes

Hashes are raw 32-byte values, stored as lowercase hex.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785

ZERO_HASH = bytes(32)


def format_received_at(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a Z, the one spelling that goes into the envelope."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_envelope(source: str, chain_index: int, received_at: str, event: Any) -> bytes:
    return rfc8785.dumps({"source": source, "chain_index": chain_index, "received_at": received_at, "event": event})


def leaf_hash(canonical: bytes) -> bytes:
    return hashlib.sha256(canonical).digest()


def next_hash(prev_hash: bytes, leaf: bytes) -> bytes:
    return hashlib.sha256(prev_hash + leaf).digest()


@dataclass(frozen=True)
class StoredEvent:
    """What verification reads of one stored event: its position, claimed hashes and canonical text."""

    source: str
    chain_index: int
    received_at: datetime
    canonical: str
    leaf_hash: str
    event_hash: str


@dataclass(frozen=True)
class Problem:
    chain_index: int
    reason: str

    def __str__(self) -> str:
        return f"chain index {self.chain_index}: {self.reason}"


def verify_chain(
    events: Iterable[StoredEvent], *, source: str, prev_hash: bytes, first_index: int, last_index: int | None = None
) -> Problem | None:
    """Walk one source's events in chain order and return the first problem, or None.

    `prev_hash` and `first_index` say where the walk starts (the zero hash and 0 for a whole chain). With
    `last_index`, the walk must also end exactly there, so a deleted tail shows.
    """
    expected_index = first_index
    for event in events:
        if event.chain_index != expected_index:
            if event.chain_index < expected_index:
                return Problem(event.chain_index, "appears twice or out of order (an inserted or reordered event)")
            return Problem(expected_index, f"is missing (the next stored index is {event.chain_index})")
        try:
            envelope = json.loads(event.canonical)
        except ValueError:
            return Problem(expected_index, "the stored canonical text is not JSON")
        canonical = event.canonical.encode()
        if rfc8785.dumps(envelope) != canonical:
            return Problem(expected_index, "the stored text is not in canonical form")
        if envelope.get("source") != source or envelope.get("chain_index") != expected_index:
            return Problem(expected_index, "the envelope names another source or position")
        if envelope.get("received_at") != format_received_at(event.received_at):
            return Problem(expected_index, "the envelope's received_at differs from the stored one")
        leaf = leaf_hash(canonical)
        if leaf.hex() != event.leaf_hash:
            return Problem(expected_index, "the event was modified (its leaf hash does not match its content)")
        computed = next_hash(prev_hash, leaf)
        if computed.hex() != event.event_hash:
            return Problem(expected_index, "the chain is broken (event hash does not follow from the previous one)")
        prev_hash = computed
        expected_index += 1
    if last_index is not None and expected_index - 1 < last_index:
        return Problem(expected_index, f"is missing (the chain's head is at {last_index})")
    return None
