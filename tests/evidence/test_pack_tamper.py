"""Every kind of tampering with an evidence pack makes its verify.py exit non-zero, naming the file and the first bad
event; the pack is edited as a forger would, after it left the portal, and verified in a separate interpreter."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import rfc8785

from evidence import merkle, signing
from tests.evidence import test_pack
from tests.evidence.test_pack import build, read_events, rechain, rewrite_manifest, run_verify, unpack, write_events

# The fixtures of test_pack.py, shared by name.
signed_history = test_pack.signed_history
signing_key = test_pack.signing_key

EVENTS = "events/litellm-prod.ndjson.gz"
CHECKPOINTS = "checkpoints/litellm-prod.jsonl"


@pytest.fixture
def pack(signed_history, tmp_path) -> Path:
    archive, _ = build(tmp_path)
    return unpack(archive, tmp_path / "pack")


def failed(result: Any, *fragments: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    first = next(line for line in result.stdout.splitlines() if line.startswith("FAIL "))
    for fragment in fragments:
        assert fragment in result.stdout, result.stdout
    assert "RESULT: FAILED" in result.stdout
    assert first.startswith("FAIL ")


def manifest_prev_hash(pack_dir: Path) -> str:
    return json.loads((pack_dir / "manifest.json").read_text())["sources"][0]["prev_hash"]


def test_a_byte_changed_in_the_compressed_events_is_caught(pack, signing_key) -> None:
    path = pack / EVENTS
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: was changed")
    assert re.search(rf"FAIL {EVENTS}: (after )?chain index \d+", result.stdout), result.stdout


def test_a_byte_changed_in_an_events_canonical_text_names_the_event(pack, signing_key) -> None:
    lines = read_events(pack)
    target = lines[4]
    target["canonical"] = target["canonical"].replace('"gw-1"', '"gw-2"', 1)
    write_events(pack, lines)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    event_id = json.loads(target["canonical"])["event"]["event_id"]
    failed(result, f"FAIL {EVENTS}: was changed", f"chain index {target['chain_index']} (event {event_id}): modified")


def test_a_removed_event_is_caught_even_with_a_rewritten_manifest(pack, signing_key) -> None:
    lines = read_events(pack)
    removed = lines.pop(3)
    write_events(pack, lines)
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: chain index {removed['chain_index']}: is missing")
    assert "was changed" not in result.stdout  # the manifest agrees; the chain does not


def test_a_removed_last_event_of_a_day_is_caught_by_the_signed_count(pack, signing_key) -> None:
    lines = read_events(pack)
    lines.pop()  # the period's very last event: no gap in the chain shows it
    write_events(pack, lines)
    rewrite_manifest(pack, lambda m: m["sources"][0].update(events=len(lines)))

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: day", "but the signed checkpoint has 6", "removed or inserted")


def test_an_inserted_event_is_caught(pack, signing_key) -> None:
    lines = read_events(pack)
    forged = dict(lines[2])
    lines.insert(3, forged)
    write_events(pack, lines)
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: chain index {forged['chain_index']}: appears again")


def test_an_event_inserted_and_renumbered_into_a_consistent_chain_is_caught_by_the_merkle_root(pack, signing_key):
    """The strongest forgery without the key: a new event, every later index and hash recomputed, manifest too."""
    lines = read_events(pack)
    forged = json.loads(lines[2]["canonical"])
    forged["event"]["event_id"] = "forged-event"
    lines.insert(3, {"canonical": rfc8785.dumps(forged).decode()})
    for position, line in enumerate(lines):
        envelope = json.loads(line["canonical"])
        envelope["chain_index"] = lines[0]["chain_index"] + position
        line["chain_index"] = envelope["chain_index"]
        line["canonical"] = rfc8785.dumps(envelope).decode()
    rechain(lines, manifest_prev_hash(pack))
    write_events(pack, lines)
    rewrite_manifest(pack, lambda m: m["sources"][0].update(events=len(lines), last_index=lines[-1]["chain_index"]))

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: day", "removed or inserted")


def test_a_missing_file_is_named(pack, signing_key) -> None:
    (pack / CHECKPOINTS).unlink()

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {CHECKPOINTS}: is missing from the pack")


def test_a_missing_events_file_in_the_zip_is_named(signed_history, signing_key, tmp_path) -> None:
    archive, _ = build(tmp_path)
    stripped = tmp_path / "stripped.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            if info.filename != EVENTS:
                target.writestr(info, source.read(info.filename))
    pack_dir = unpack(archive, tmp_path / "pack")

    result = run_verify(pack_dir, str(stripped), fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: is missing from the pack")


def test_an_added_file_is_named(pack, signing_key) -> None:
    (pack / "events" / "extra.ndjson.gz").write_bytes(gzip.compress(b"{}\n"))

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, "FAIL events/extra.ndjson.gz: is not listed in the manifest")


def test_a_manifest_rewritten_to_match_a_tampered_file_is_caught_by_the_signed_merkle_root(pack, signing_key):
    lines = read_events(pack)
    target = lines[5]
    target["canonical"] = target["canonical"].replace('"redact"', '"allow"', 1)
    rechain(lines, manifest_prev_hash(pack))  # every hash recomputed, so the chain itself is consistent
    write_events(pack, lines)
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {EVENTS}: day", "Merkle root of the event hashes differs from the signed checkpoint")
    assert "was changed" not in result.stdout


def test_a_changed_checkpoint_body_fails_its_signature(pack, signing_key) -> None:
    path = pack / CHECKPOINTS
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    body = json.loads(lines[2]["body"])
    body["count"] += 1
    lines[2]["body"] = rfc8785.dumps(body).decode()
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {CHECKPOINTS}: checkpoint of {body['day']}: the Ed25519 signature does not match")


def test_a_removed_checkpoint_breaks_the_signed_chain(pack, signing_key) -> None:
    path = pack / CHECKPOINTS
    lines = path.read_text().splitlines()
    del lines[2]
    path.write_text("\n".join(lines) + "\n")
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, f"FAIL {CHECKPOINTS}:", "prev_signature does not name the previous checkpoint")


def test_a_wrong_pinned_key_fails(pack) -> None:
    other = signing.generate()

    result = run_verify(pack, fingerprint=other.fingerprint)

    failed(result, f"FAIL {CHECKPOINTS}:", "not by the pinned key")


def test_a_pack_re_signed_by_another_key_fails_against_the_pinned_key(pack, signing_key) -> None:
    """A forger who rewrites events AND re-signs every checkpoint with a key of their own, with matching keys.json
    and manifest: only the fingerprint the auditor pinned from outside the pack catches it."""
    forger = signing.generate()
    lines = read_events(pack)
    lines[5]["canonical"] = lines[5]["canonical"].replace('"redact"', '"allow"', 1)
    rechain(lines, manifest_prev_hash(pack))
    write_events(pack, lines)
    by_day: dict[str, list[bytes]] = {}
    for line in lines:
        day = json.loads(line["canonical"])["received_at"][:10]
        by_day.setdefault(day, []).append(bytes.fromhex(line["event_hash"]))
    path = pack / CHECKPOINTS
    checkpoints = [json.loads(line) for line in path.read_text().splitlines()]
    prev_signature = None
    for entry in checkpoints:
        body = json.loads(entry["body"])
        body["key_id"] = forger.key_id
        body["prev_signature"] = prev_signature
        if not entry.get("anchor"):
            body["merkle_root"] = merkle.merkle_root(by_day.get(body["day"], [])).hex()
        entry["body"] = rfc8785.dumps(body).decode()
        entry["key_id"] = forger.key_id
        entry["signature"] = forger.sign(entry["body"].encode())
        prev_signature = entry["signature"]
    path.write_text("".join(json.dumps(entry) + "\n" for entry in checkpoints))
    keys = {
        "keys": [
            {
                "key_id": forger.key_id,
                "fingerprint": forger.fingerprint,
                "public_key": base64.b64encode(forger.public_raw).decode(),
            }
        ]
    }
    (pack / "keys.json").write_text(json.dumps(keys))
    rewrite_manifest(pack, lambda m: m.update(keys=[{"key_id": forger.key_id, "fingerprint": forger.fingerprint}]))

    forged = run_verify(pack, fingerprint=forger.fingerprint)
    pinned = run_verify(pack, fingerprint=signing_key.fingerprint)

    assert forged.returncode == 0, forged.stdout  # internally consistent: the forgery is complete
    failed(pinned, f"FAIL {CHECKPOINTS}:", f"signed by key {forger.key_id}", "not by the pinned key")


def test_a_key_whose_fingerprint_was_edited_is_refused(pack, signing_key) -> None:
    keys = json.loads((pack / "keys.json").read_text())
    keys["keys"][0]["fingerprint"] = "SHA256:" + hashlib.sha256(b"other").hexdigest()
    (pack / "keys.json").write_text(json.dumps(keys))
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=keys["keys"][0]["fingerprint"])

    failed(result, "FAIL keys.json:", "its fingerprint or id does not match it")


def test_a_sampled_event_that_is_not_in_the_pack_is_named(pack, signing_key) -> None:
    sampling = json.loads((pack / "sampling.json").read_text())
    sampling["controls"] = [
        {"control": "A.6.2.8", "source": "litellm-prod", "population": "all_events", "sample": []},
    ]
    sampling["controls"][0]["sample"].append({"source": "litellm-prod", "chain_index": 3, "event_id": "not-there"})
    (pack / "sampling.json").write_text(json.dumps(sampling))
    rewrite_manifest(pack)

    result = run_verify(pack, fingerprint=signing_key.fingerprint)

    failed(result, "FAIL sampling.json: sampled event litellm-prod#3 (not-there) is not in the pack")
