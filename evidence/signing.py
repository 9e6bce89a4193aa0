"""Ed25519 keys that sign checkpoints (DESIGN.md, Keys).

A key has an id and a fingerprint. The fingerprint is the SHA-256 of the raw 32-byte public key, written as
`SHA256:` followed by lowercase hex. It is what an auditor pins with `verify.py --key-fingerprint`, and what
every report cover and SoA approval prints. The private key comes from settings (AIMS_SIGNING_KEY_FILE, a PEM
file); `make run` generates a local one under var/ when none is configured. Nothing here is stored in the
database except public keys, whose rotation is recorded there.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(encoding=serialization.Encoding.Raw, format=serialization.PublicFormat.Raw)


def fingerprint(public_raw: bytes) -> str:
    return "SHA256:" + hashlib.sha256(public_raw).hexdigest()


def key_id(public_raw: bytes) -> str:
    """A short, stable name for a key: the first 16 hex digits of its fingerprint."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return public_bytes(self.private.public_key())

    @property
    def key_id(self) -> str:
        return key_id(self.public_raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode()

    def sign(self, message: bytes) -> str:
        return base64.b64encode(self.private.sign(message)).decode()


def verify(public_raw: bytes, message: bytes, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(base64.b64decode(signature_b64, validate=True), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def generate() -> SigningKey:
    return SigningKey(Ed25519PrivateKey.generate())


def load(path: Path) -> SigningKey:
    """Read a PEM (PKCS#8, unencrypted) Ed25519 private key."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return SigningKey(key)


def save(key: SigningKey, path: Path) -> None:
    pem = key.private.private_bytes(
        encoding=serialization.Encoding.PEM,
        format=serialization.PrivateFormat.PKCS8,
        encryption_algorithm=serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
    path.chmod(0o600)


def load_or_create(path: Path) -> SigningKey:
    """The local development key: created once under var/, reused afterwards."""
    if path.exists():
        return load(path)
    # The web process and the worker may both get here first: write aside, then link into place, which fails
    # when the other won; both then use the one key on disk.
    key = generate()
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    save(key, aside)
    try:
        os.link(aside, path)
    except FileExistsError:
        return load(path)
    finally:
        aside.unlink(missing_ok=True)
    return key
