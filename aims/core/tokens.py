"""Bearer secrets of every kind (personal API tokens, evidence-source tokens): generated, then kept as a hash.

A token carries 256 bits of randomness, so one SHA-256 makes the stored value useless to a reader of the
database, and looking a token up by its hash stays a single indexed query.
"""

from __future__ import annotations

import hashlib
import secrets


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)
