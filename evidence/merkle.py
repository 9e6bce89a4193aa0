"""RFC 6962 Merkle tree hash over a day's event hashes (DESIGN.md, Checkpoints). Standard library only, so
the evidence pack's verify.py can carry the same code.

    leaf hash  = SHA-256(0x00 || event_hash)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256()                      (the empty day)
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n]))  with k the largest power of two smaller than n

The split rule is RFC 6962's, not "pair up and promote the odd one", so an odd number of leaves gives the same
root as any other RFC 6962 implementation (Certificate Transparency logs, Trillian, sigsum).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(event_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + event_hash).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(leaves: Sequence[bytes]) -> bytes:
    n = len(leaves)
    if n == 1:
        return leaves[0]
    k = _largest_power_of_two_below(n)
    return node_hash(_root(leaves[:k]), _root(leaves[k:]))


def merkle_root(event_hashes: Iterable[bytes]) -> bytes:
    """The RFC 6962 tree hash of the given event hashes (raw 32-byte values), in chain order.

    Built bottom-up over a stack of complete subtrees, so a day of millions of events needs memory for its
    leaf hashes only once, and the recursion depth stays at log2(n).
    """
    # Each stack entry is (subtree size, hash); merging equal sizes keeps only complete power-of-two subtrees,
    # and the final right-to-left fold reproduces RFC 6962's split for the incomplete rest.
    stack: list[tuple[int, bytes]] = []
    for event_hash in event_hashes:
        size, current = 1, leaf_hash(event_hash)
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            current = node_hash(left, current)
            size *= 2
        stack.append((size, current))
    if not stack:
        return EMPTY_ROOT
    _, root = stack.pop()
    while stack:
        _, left = stack.pop()
        root = node_hash(left, root)
    return root


def merkle_root_reference(event_hashes: Sequence[bytes]) -> bytes:
    """The textbook recursive definition, kept to check merkle_root against."""
    if not event_hashes:
        return EMPTY_ROOT
    return _root([leaf_hash(h) for h in event_hashes])
