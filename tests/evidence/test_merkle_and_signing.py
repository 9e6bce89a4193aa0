"""RFC 6962 tree hashes, Ed25519 keys and signed checkpoints, checked against published vectors."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest

from evidence import checkpoint_format, merkle, signing

# The RFC 6962 reference leaves and tree heads of Google's certificate-transparency merkle tree tests, also used
# by Trillian (merkle/rfc6962) and other CT implementations: MTH of the first n leaves, n = 1..8.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    bytes(range(0x50, 0x58)),
    bytes(range(0x60, 0x70)),
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


@pytest.mark.parametrize("n", range(1, 9))
def test_the_tree_hash_matches_the_rfc_6962_reference_vectors(n: int) -> None:
    assert merkle.merkle_root(CT_LEAVES[:n]).hex() == CT_ROOTS[n - 1]


def test_the_empty_tree_hashes_to_the_hash_of_nothing() -> None:
    assert merkle.merkle_root([]) == hashlib.sha256(b"").digest()


def test_the_streaming_root_equals_the_recursive_definition_for_every_size_up_to_300() -> None:
    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(300)]
    for n in range(301):
        assert merkle.merkle_root(leaves[:n]) == merkle.merkle_root_reference(leaves[:n]), n


def test_a_key_has_a_stable_id_and_fingerprint(tmp_path) -> None:
    key = signing.load_or_create(tmp_path / "signing.pem")
    again = signing.load_or_create(tmp_path / "signing.pem")
    assert again.fingerprint == key.fingerprint
    assert key.fingerprint == "SHA256:" + hashlib.sha256(key.public_raw).hexdigest()
    assert key.key_id == key.fingerprint.removeprefix("SHA256:")[:16]
    assert (tmp_path / "signing.pem").stat().st_mode & 0o777 == 0o600


def _day(key: signing.SigningKey, prev: str | None = None) -> checkpoint_format.CheckpointBody:
    chain = [(i, hashlib.sha256(bytes([i])).hexdigest()) for i in range(10, 15)]
    return checkpoint_format.build(
        source="gw", day=date(2026, 11, 28), chain=chain, prev_signature=prev, key_id=key.key_id
    )


def test_a_signed_checkpoint_verifies_and_any_change_breaks_it() -> None:
    key = signing.generate()
    body = _day(key)
    assert (body.count, body.first_index, body.last_index) == (5, 10, 14)
    signature = checkpoint_format.sign(body, key)
    assert checkpoint_format.verify(body, signature, key.public_raw)
    for changed in (
        checkpoint_format.CheckpointBody(**{**body.__dict__, "count": 4}),
        checkpoint_format.CheckpointBody(**{**body.__dict__, "merkle_root": "00" * 32}),
        checkpoint_format.CheckpointBody(**{**body.__dict__, "prev_signature": "forged"}),
    ):
        assert not checkpoint_format.verify(changed, signature, key.public_raw)


def test_another_key_does_not_verify_a_checkpoint() -> None:
    key, other = signing.generate(), signing.generate()
    body = _day(key)
    signature = checkpoint_format.sign(body, key)
    assert not checkpoint_format.verify(body, signature, other.public_raw)
    with pytest.raises(ValueError):
        checkpoint_format.sign(body, other)


def test_an_empty_day_gets_a_checkpoint_with_the_empty_root() -> None:
    key = signing.generate()
    body = checkpoint_format.build(
        source="gw", day=date(2026, 11, 1), chain=[], prev_signature=None, key_id=key.key_id
    )
    assert body.as_json() == {
        "source": "gw",
        "day": "2026-11-01",
        "count": 0,
        "first_index": None,
        "last_index": None,
        "merkle_root": hashlib.sha256(b"").hexdigest(),
        "prev_signature": None,
        "key_id": key.key_id,
    }
    assert checkpoint_format.verify(body, checkpoint_format.sign(body, key), key.public_raw)


def test_checkpoints_chain_by_the_previous_signature() -> None:
    key = signing.generate()
    first = _day(key)
    first_signature = checkpoint_format.sign(first, key)
    second = _day(key, prev=first_signature)
    assert second.as_json()["prev_signature"] == first_signature
    assert checkpoint_format.sign(second, key) != first_signature
