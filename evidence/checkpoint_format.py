"""The signed checkpoint of one source and one UTC day (DESIGN.md, Checkpoints). Pure functions: the worker
signs with them, and verify_evidence and the evidence pack's verify.py check with the same rules.

    {"source", "day", "count", "first_index", "last_index", "merkle_root", "prev_signature", "key_id"}

`merkle_root` is the RFC 6962 root (hex) of the day's event hashes in chain order; an empty day has count 0,
null indexes and the empty-tree root, so a missing day shows. `prev_signature` chains each checkpoint to the
source's previous one. The Ed25519 signature covers the RFC 8785 bytes of this object, without the signature.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import rfc8785

from evidence import merkle, signing


@dataclass(frozen=True)
class CheckpointBody:
    source: str
    day: date
    count: int
    first_index: int | None
    last_index: int | None
    merkle_root: str
    prev_signature: str | None
    key_id: str

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "day": self.day.isoformat(),
            "count": self.count,
            "first_index": self.first_index,
            "last_index": self.last_index,
            "merkle_root": self.merkle_root,
            "prev_signature": self.prev_signature,
            "key_id": self.key_id,
        }

    def message(self) -> bytes:
        return rfc8785.dumps(self.as_json())


def build(
    *,
    source: str,
    day: date,
    chain: Iterable[tuple[int, str]],
    prev_signature: str | None,
    key_id: str,
) -> CheckpointBody:
    """The checkpoint of a day from its (chain_index, event_hash hex) pairs, given in chain order."""
    count = 0
    first = last = None
    hashes: list[bytes] = []
    for index, event_hash in chain:
        if first is None:
            first = index
        last = index
        count += 1
        hashes.append(bytes.fromhex(event_hash))
    return CheckpointBody(
        source=source,
        day=day,
        count=count,
        first_index=first,
        last_index=last,
        merkle_root=merkle.merkle_root(hashes).hex(),
        prev_signature=prev_signature,
        key_id=key_id,
    )


def sign(body: CheckpointBody, key: signing.SigningKey) -> str:
    if body.key_id != key.key_id:
        raise ValueError("the checkpoint names another key than the one signing it")
    return key.sign(body.message())


def verify(body: CheckpointBody, signature: str, public_raw: bytes) -> bool:
    return signing.key_id(public_raw) == body.key_id and signing.verify(public_raw, body.message(), signature)
