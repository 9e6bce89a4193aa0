#!/usr/bin/env python3
"""Verify an AIMS evidence pack offline.

    python verify.py --key-fingerprint SHA256:<hex>            (inside the unpacked pack)
    python verify.py PACK.zip --key-fingerprint SHA256:<hex>   (or PACK_DIR)

Needs only the Python standard library (3.9 or later), plus the `cryptography` package for the Ed25519
signatures of the daily checkpoints. Without it, the signatures cannot be checked: the script says so and exits
non-zero unless --no-signatures is passed. Obtain the key fingerprint from outside the pack (the portal's key
page, a report cover, the SoA approval), so a pack signed by any other key fails.

What is checked, in this order; the first problem of each file is reported with the file and the event:
1. every file named in manifest.json is present with its size and SHA-256, and no other file is;
2. keys.json: each public key matches its fingerprint and id; checkpoints must be signed by a pinned key;
3. checkpoints/<source>.jsonl: each body is the canonical JSON (RFC 8785) that its Ed25519 signature covers,
   each names the signature of the one before (`prev_signature`), and the days follow one another;
4. events/<source>.ndjson.gz, one event a line, {"chain_index", "leaf_hash", "event_hash", "envelope"} where
   "envelope" is the canonical envelope verbatim (its bytes are exactly what was hashed), in this key order and
   without spaces: for each event, leaf = SHA-256(envelope bytes), event_hash =
   SHA-256(prev_hash || leaf), chain indexes without gap; per UTC day of received_at, the RFC 6962 Merkle root
   of the event hashes (leaf SHA-256(0x00||h), node SHA-256(0x01||l||r)), the count and the index range equal
   the signed checkpoint's;
5. sampling.json: every sampled event is in the pack under its chain index and event id (with --deep the
   sample is also recomputed from the seed).

Exit status: 0 intact; 1 a problem was found; 2 bad usage; 3 signatures could not be checked.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import json
import os
import random
import sys
import zipfile
import zlib
from datetime import date, timedelta

FORMAT = "aims-evidence-pack/1"
ZERO_HASH = bytes(32)
EMPTY_ROOT = hashlib.sha256(b"").digest()
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, EXIT_NO_SIGNATURES = 0, 1, 2, 3
# An events line, written by the portal with these exact separators; "envelope" is the canonical text verbatim.
LINE_START = b'{"chain_index":'
LEAF_KEY = b',"leaf_hash":"'
HASH_KEY = b'","event_hash":"'
ENVELOPE_KEY = b'","envelope":'

try:  # only for the Ed25519 signatures; everything else is the standard library
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - exercised by running without the package
    Ed25519PublicKey = None
    InvalidSignature = Exception


class Problem(Exception):
    """A finding that makes the pack fail, naming the file and, where there is one, the event."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


# --- reading the pack, unpacked or zipped ----------------------------------------------------------------
class Pack:
    def __init__(self, location: str) -> None:
        self.location = location
        self.zip = zipfile.ZipFile(location) if os.path.isfile(location) else None

    def names(self) -> set:
        if self.zip is not None:
            return {info.filename for info in self.zip.infolist() if not info.is_dir()}
        found = set()
        for root, _dirs, files in os.walk(self.location):
            for name in files:
                full = os.path.join(root, name)
                found.add(os.path.relpath(full, self.location).replace(os.sep, "/"))
        return found

    def open(self, name: str):
        if self.zip is not None:
            return self.zip.open(name)
        return open(os.path.join(self.location, *name.split("/")), "rb")

    def read_json(self, name: str):
        with self.open(name) as handle:
            return json.loads(handle.read().decode("utf-8"))


# --- the hash rules -----------------------------------------------------------------------------------------
def merkle_leaf(event_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + event_hash).digest()


def merkle_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class MerkleDay:
    """The RFC 6962 tree hash of one day's event hashes, built incrementally over complete subtrees."""

    def __init__(self, day: str, first_index: int) -> None:
        self.day = day
        self.first_index = first_index
        self.last_index = first_index
        self.count = 0
        self.stack = []

    def add(self, index: int, event_hash: bytes) -> None:
        self.count += 1
        self.last_index = index
        size, current = 1, merkle_leaf(event_hash)
        stack = self.stack
        while stack and stack[-1][0] == size:
            current = merkle_node(stack.pop()[1], current)
            size *= 2
        stack.append((size, current))

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        stack = list(self.stack)
        root = stack.pop()[1]
        while stack:
            root = merkle_node(stack.pop()[1], root)
        return root


def canonical_json(value) -> str:
    """RFC 8785 for what checkpoint bodies hold (strings, integers, null): sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def normalise_fingerprint(text: str) -> str:
    text = text.strip()
    if text.lower().startswith("sha256:"):
        text = text[7:]
    return "SHA256:" + text.replace(":", "").lower()


# --- the checks ---------------------------------------------------------------------------------------------
class Verifier:
    def __init__(self, pack: Pack, pinned: list, check_signatures: bool, deep: bool, out) -> None:
        self.pack = pack
        self.pinned = {normalise_fingerprint(fp) for fp in pinned}
        self.check_signatures = check_signatures
        self.deep = deep
        self.out = out
        self.problems = []
        self.manifest = {}
        self.keys = {}
        self.checkpoints = {}  # source -> {day: body dict}
        self.sampled = {}  # (source, chain_index) -> event_id
        self.events_seen = {}  # (source, chain_index) -> event_id, only for sampled ones
        self.populations = {}  # (source, population) -> [(chain_index, event_id)] in --deep mode
        self.population_rules = {}  # population name -> rule, from sampling.json
        self.sampling = None

    def fail(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.out.write(f"FAIL {problem}\n")

    def note(self, text: str) -> None:
        self.out.write(text + "\n")

    def run(self) -> int:
        try:
            self.manifest = self.pack.read_json("manifest.json")
        except (OSError, KeyError, ValueError) as error:
            self.fail(Problem("manifest.json", f"missing or unreadable ({error})"))
            return EXIT_PROBLEM
        if self.manifest.get("format") != FORMAT:
            self.fail(Problem("manifest.json", f"not an evidence pack of format {FORMAT}"))
            return EXIT_PROBLEM
        period = self.manifest.get("period", {})
        self.note(f"pack: {self.pack.location}")
        self.note(f"period: {period.get('from')} to {period.get('to')} (UTC days of received_at)")
        self.load_sampling()
        self.check_files()
        self.check_keys()
        for source in self.manifest.get("sources", []):
            self.check_checkpoints(source)
        for source in self.manifest.get("sources", []):
            self.check_events(source)
        self.check_sampling()
        if self.problems:
            self.note(f"RESULT: FAILED ({len(self.problems)} problem(s); the first is named above)")
            return EXIT_PROBLEM
        if not self.check_signatures:
            self.note("WARNING: signatures were NOT checked (--no-signatures); the hashes alone prove nothing")
            self.note("RESULT: OK without signatures")
            return EXIT_OK
        self.note("RESULT: OK, intact and signed by the pinned key")
        return EXIT_OK

    # 1. files
    def check_files(self) -> None:
        present = self.pack.names()
        listed = set()
        for entry in self.manifest.get("files", []):
            path = entry["path"]
            listed.add(path)
            if path not in present:
                self.fail(Problem(path, "is missing from the pack"))
                continue
            digest, size = hashlib.sha256(), 0
            with self.pack.open(path) as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                    size += len(block)
            if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
                self.fail(Problem(path, "was changed (its size or SHA-256 differs from the manifest)"))
        for path in sorted(present - listed - {"manifest.json"}):
            self.fail(Problem(path, "is not listed in the manifest (added to the pack)"))
        self.note(f"files: {len(listed)} listed in the manifest checked")

    # 2. keys
    def check_keys(self) -> None:
        try:
            keys = self.pack.read_json("keys.json")
        except (OSError, KeyError, ValueError) as error:
            self.fail(Problem("keys.json", f"missing or unreadable ({error})"))
            return
        for key in keys.get("keys", []):
            try:
                raw = base64.b64decode(key["public_key"], validate=True)
            except (ValueError, KeyError):
                self.fail(Problem("keys.json", f"key {key.get('key_id')}: the public key is not base64"))
                continue
            digest = hashlib.sha256(raw).hexdigest()
            if len(raw) != 32 or key.get("fingerprint") != "SHA256:" + digest or key.get("key_id") != digest[:16]:
                self.fail(Problem("keys.json", f"key {key.get('key_id')}: its fingerprint or id does not match it"))
                continue
            self.keys[key["key_id"]] = {"raw": raw, "fingerprint": key["fingerprint"]}
        for key_id, key in sorted(self.keys.items()):
            pinned = "pinned" if key["fingerprint"] in self.pinned else "NOT pinned"
            self.note(f"key: {key_id} {key['fingerprint']} ({pinned})")

    # 3. checkpoints
    def _signature_ok(self, path: str, body: str, signature: str, key_id: str, label: str) -> bool:
        key = self.keys.get(key_id)
        if key is None:
            self.fail(Problem(path, f"{label}: signed by key {key_id}, which keys.json does not hold"))
            return False
        if not self.check_signatures:
            return True
        if key["fingerprint"] not in self.pinned:
            self.fail(
                Problem(
                    path,
                    f"{label}: signed by key {key_id} ({key['fingerprint']}), not by the pinned key "
                    f"({', '.join(sorted(self.pinned))})",
                )
            )
            return False
        try:
            Ed25519PublicKey.from_public_bytes(key["raw"]).verify(
                base64.b64decode(signature, validate=True), body.encode("utf-8")
            )
        except (InvalidSignature, ValueError):
            self.fail(Problem(path, f"{label}: the Ed25519 signature does not match the checkpoint body"))
            return False
        return True

    def check_checkpoints(self, source: dict) -> None:
        name, path = source["name"], source["checkpoints_file"]
        days = {}
        previous = None  # (day, signature)
        try:
            handle = self.pack.open(path)
        except (OSError, KeyError):
            self.fail(Problem(path, "is missing from the pack"))
            self.checkpoints[name] = days
            return
        with handle:
            for number, line in enumerate(io.TextIOWrapper(handle, encoding="utf-8"), start=1):
                label = f"line {number}"
                try:
                    entry = json.loads(line)
                    text, signature, key_id = entry["body"], entry["signature"], entry["key_id"]
                    body = json.loads(text)
                except (ValueError, KeyError, TypeError):
                    self.fail(Problem(path, f"{label}: not a checkpoint line"))
                    return
                label = f"checkpoint of {body.get('day')}"
                if canonical_json(body) != text:
                    self.fail(Problem(path, f"{label}: the body is not canonical JSON (RFC 8785)"))
                    return
                if not self._signature_ok(path, text, signature, key_id, label):
                    return
                if body.get("key_id") != key_id or body.get("source") != name:
                    self.fail(Problem(path, f"{label}: the body names another key or source"))
                    return
                if previous is not None:
                    if body.get("prev_signature") != previous[1]:
                        self.fail(Problem(path, f"{label}: prev_signature does not name the previous checkpoint"))
                        return
                    expected = (date.fromisoformat(previous[0]) + timedelta(days=1)).isoformat()
                    if body["day"] != expected:
                        self.fail(Problem(path, f"{label}: the checkpoint of {expected} is missing"))
                        return
                elif body.get("prev_signature") is not None and not entry.get("anchor"):
                    self.fail(Problem(path, f"{label}: the checkpoint before the period is missing"))
                    return
                previous = (body["day"], signature)
                if not entry.get("anchor"):
                    days[body["day"]] = body
        period = self.manifest.get("period", {})
        if days and max(days) != period.get("to"):
            self.fail(Problem(path, f"the checkpoints end on {max(days)}, before the period's end {period.get('to')}"))
        self.checkpoints[name] = days
        self.note(f"checkpoints: {name}: {len(days)} day(s) checked")

    # 4. events
    def _check_day(self, path: str, tree: MerkleDay, days: dict) -> None:
        checkpoint = days.pop(tree.day, None)
        if checkpoint is None:
            raise Problem(path, f"chain index {tree.first_index}: day {tree.day} has no signed checkpoint in the pack")
        if (checkpoint["count"], checkpoint["first_index"], checkpoint["last_index"]) != (
            tree.count,
            tree.first_index,
            tree.last_index,
        ):
            raise Problem(
                path,
                f"day {tree.day}: {tree.count} events at chain indexes {tree.first_index}..{tree.last_index}, but "
                f"the signed checkpoint has {checkpoint['count']} at {checkpoint['first_index']}.."
                f"{checkpoint['last_index']} (an event was removed or inserted)",
            )
        if tree.root().hex() != checkpoint["merkle_root"]:
            raise Problem(
                path,
                f"day {tree.day}, chain indexes {tree.first_index}..{tree.last_index}: the Merkle root of the event "
                "hashes differs from the signed checkpoint's (events were rewritten)",
            )

    def check_events(self, source: dict) -> None:
        name, path = source["name"], source["events_file"]
        days = dict(self.checkpoints.get(name, {}))
        try:
            self._walk(source, days)
        except Problem as problem:
            self.fail(problem)
            return
        for day, checkpoint in sorted(days.items()):
            if checkpoint["count"]:
                self.fail(
                    Problem(
                        path,
                        f"chain index {checkpoint['first_index']}: the {checkpoint['count']} events of {day} "
                        "are missing",
                    )
                )
                return
        self.note(f"events: {name}: {source.get('events')} events checked")

    def _walk(self, source: dict, days: dict) -> None:
        name, path = source["name"], source["events_file"]
        suffix = (',"source":' + json.dumps(name, ensure_ascii=False) + "}").encode("utf-8")
        cut = -len(suffix)
        tail = len(suffix) + 44  # ,"received_at":"<27 characters>" then the source
        prev = bytes.fromhex(source.get("prev_hash") or ZERO_HASH.hex())
        expected = source.get("first_index")
        tree = None
        sampled, seen, deep = self.sampled, self.events_seen, self.deep
        sha256, unhexlify = hashlib.sha256, binascii.unhexlify
        try:
            handle = self.pack.open(path)
        except (OSError, KeyError):
            raise Problem(path, "is missing from the pack") from None
        with handle:
            for line in _lines(handle, path, lambda: expected):  # noqa: B023  the current position, on purpose
                # {"chain_index":N,"leaf_hash":"<hex>","event_hash":"<hex>","envelope":<canonical bytes>}
                comma = line.find(b",", 15)
                try:
                    if not line.startswith(LINE_START) or line[comma : comma + 14] != LEAF_KEY:
                        raise ValueError
                    index = int(line[15:comma])
                    leaf_claim = unhexlify(line[comma + 14 : comma + 78])
                    hash_claim = unhexlify(line[comma + 94 : comma + 158])
                    if line[comma + 78 : comma + 94] != HASH_KEY or line[comma + 158 : comma + 171] != ENVELOPE_KEY:
                        raise ValueError
                    if not line.endswith(b"}"):
                        raise ValueError
                except (ValueError, binascii.Error):
                    where = f"after chain index {expected - 1}" if expected is not None else "at its start"
                    raise Problem(path, f"{where}: a line is not an event record") from None
                canonical = line[comma + 171 : -1]
                if expected is None:
                    expected = index
                if index != expected:
                    if index < expected:
                        raise Problem(path, f"chain index {index}: appears again or out of order (inserted)")
                    raise Problem(path, f"chain index {expected}: is missing (the next event is {index})")
                if not canonical.startswith(b'{"chain_index":%d,"event":' % index) or not canonical.endswith(suffix):
                    raise Problem(path, f"chain index {index}: the canonical text is not this source's envelope")
                head = canonical[-tail:cut]
                if not head.startswith(b',"received_at":"') or head[-2:] != b'Z"':
                    raise Problem(path, f"chain index {index}: the canonical text has no received_at")
                leaf = sha256(canonical).digest()
                if leaf != leaf_claim:
                    raise Problem(path, f"chain index {index}{_event_id(canonical)}: modified (its leaf hash differs)")
                prev = sha256(prev + leaf).digest()
                if prev != hash_claim:
                    raise Problem(
                        path, f"chain index {index}{_event_id(canonical)}: the chain is broken (event hash differs)"
                    )
                day = head[16:26].decode("ascii", "replace")
                if tree is None or tree.day != day:
                    if tree is not None:
                        if day < tree.day:
                            raise Problem(path, f"chain index {index}: received before the event it follows")
                        self._check_day(path, tree, days)
                    tree = MerkleDay(day, index)
                tree.add(index, prev)
                if (name, index) in sampled:
                    seen[(name, index)] = _event_id(canonical, bare=True)
                if deep:
                    self._deep(path, name, index, canonical)
                expected = index + 1
        if tree is not None:
            self._check_day(path, tree, days)
        if source.get("events") is not None and expected is not None:
            first = source.get("first_index")
            if expected - first != source["events"]:
                raise Problem(path, f"holds {expected - first} events, the manifest says {source['events']}")

    def _deep(self, path: str, name: str, index: int, canonical: bytes) -> None:
        try:
            envelope = json.loads(canonical)
        except ValueError:
            raise Problem(path, f"chain index {index}: the canonical text is not JSON") from None
        if set(envelope) != {"source", "chain_index", "received_at", "event"} or envelope["source"] != name:
            raise Problem(path, f"chain index {index}: the envelope's fields are not the contract's")
        event = envelope["event"]
        for population, rule in self.population_rules.items():
            if matches(rule, event):
                self.populations.setdefault((name, population), []).append((index, event.get("event_id")))

    # 5. sampling
    def load_sampling(self) -> None:
        if "sampling.json" not in {entry["path"] for entry in self.manifest.get("files", [])}:
            return
        try:
            sampling = self.pack.read_json("sampling.json")
        except (OSError, KeyError, ValueError):
            return  # reported by the file check
        self.sampling = sampling
        self.population_rules = sampling.get("populations", {})
        for control in sampling.get("controls", []):
            for item in control.get("sample", []):
                self.sampled[(item["source"], item["chain_index"])] = item["event_id"]

    def check_sampling(self) -> None:
        sampling = self.sampling
        if sampling is None:
            return
        for (source, index), event_id in sorted(self.sampled.items()):
            if self.events_seen.get((source, index)) != event_id:
                self.fail(Problem("sampling.json", f"sampled event {source}#{index} ({event_id}) is not in the pack"))
                return
        if self.deep:
            for control in sampling.get("controls", []):
                population = self.populations.get((control["source"], control["population"]), [])
                expected = draw(sampling["seed"], control["control"], control["source"], population, sampling["size"])
                got = [(item["chain_index"], item["event_id"]) for item in control.get("sample", [])]
                if got != expected:
                    self.fail(Problem("sampling.json", f"control {control['control']}: the sample is not the seed's"))
                    return
            self.note("sampling: recomputed from the seed")
        self.note(f"sampling: {len(self.sampled)} sampled event(s) found in the pack")


def matches(rule: dict, event: dict) -> bool:
    """A population rule of sampling.json: every named field must hold one of the listed values."""
    return all(event.get(field) in values for field, values in rule.items())


def draw(seed: int, control: str, source: str, population: list, size: int) -> list:
    """The documented sampling rule: Random("<seed>:<control>:<source>") picks `size` members, in chain order."""
    rng = random.Random(f"{seed}:{control}:{source}")  # noqa: S311  reproducible by design, not a secret
    picks = sorted(rng.sample(range(len(population)), min(size, len(population))))
    return [tuple(population[i]) for i in picks]


def _event_id(canonical: bytes, bare: bool = False) -> str:
    try:
        event_id = json.loads(canonical)["event"].get("event_id")
    except (ValueError, KeyError, AttributeError):
        event_id = None
    if bare:
        return event_id
    return f" (event {event_id})" if event_id else ""


def _gzip_header(handle) -> bytes:
    """Skip a gzip member's header (RFC 1952); return what was read past it."""
    data = handle.read(1 << 16)
    if len(data) < 10 or data[:3] != b"\x1f\x8b\x08":
        raise ValueError("not gzip data")
    flags, position = data[3], 10
    if flags & 4:  # FEXTRA
        position += 2 + int.from_bytes(data[position : position + 2], "little")
    for flag in (8, 16):  # FNAME, FCOMMENT: zero-terminated
        if flags & flag:
            position = data.index(b"\x00", position) + 1
    if flags & 2:  # FHCRC
        position += 2
    return data[position:]


def _lines(handle, path: str, position):
    """The lines of a gzip file, inflated in blocks (much faster than readline). The CRC-32 and length in the
    trailer are checked here rather than by zlib, so the events before damaged data are still checked one by one
    and the first bad event is named; damage that inflate itself refuses names the last event read before it."""

    def damaged(reason) -> Problem:
        where = position()
        at = f"after chain index {where - 1}" if where is not None else "at the first event"
        return Problem(path, f"{at}: the compressed data is damaged ({reason})")

    try:
        block = _gzip_header(handle)
    except (ValueError, IndexError) as error:
        raise damaged(error) from None
    inflater = zlib.decompressobj(wbits=-15)
    crc, size, rest = 0, 0, b""
    while not inflater.eof:
        if not block:
            block = handle.read(1 << 16)
            if not block:
                raise damaged("it ends early")
        try:
            data = inflater.decompress(block)
        except zlib.error as error:
            raise damaged(error) from None
        block = b""
        crc, size = zlib.crc32(data, crc), size + len(data)
        lines = (rest + data).split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        yield rest
    trailer = inflater.unused_data + handle.read(8)
    if len(trailer) < 8:
        raise damaged("the trailer is missing")
    if int.from_bytes(trailer[:4], "little") != crc or int.from_bytes(trailer[4:8], "little") != size & 0xFFFFFFFF:
        raise damaged("its CRC-32 or length does not match the data")
    if trailer[8:].strip(b"\x00") or handle.read(1).strip(b"\x00"):
        raise damaged("data follows the end of the compressed stream")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Verify an AIMS evidence pack offline.")
    parser.add_argument("pack", nargs="?", help="The pack: a .zip or an unpacked folder (default: this folder).")
    parser.add_argument(
        "--key-fingerprint",
        action="append",
        default=[],
        metavar="SHA256:HEX",
        help="Fingerprint of the signing key, obtained outside the pack; repeat it for each key of a rotation.",
    )
    parser.add_argument("--no-signatures", action="store_true", help="Skip the Ed25519 signatures (not an audit).")
    parser.add_argument("--deep", action="store_true", help="Also parse every event and recompute the sample.")
    args = parser.parse_args(argv)
    location = args.pack or os.path.dirname(os.path.abspath(__file__))
    if not os.path.exists(location):
        print(f"error: {location} does not exist", file=sys.stderr)
        return EXIT_USAGE
    check_signatures = not args.no_signatures
    if check_signatures and not args.key_fingerprint:
        print("error: pass --key-fingerprint SHA256:<hex> (obtained outside the pack), or --no-signatures")
        return EXIT_USAGE
    for fingerprint in args.key_fingerprint:
        digits = normalise_fingerprint(fingerprint)[7:]
        if len(digits) != 64 or any(c not in "0123456789abcdef" for c in digits):
            print(f"error: {fingerprint!r} is not a key fingerprint (SHA256: and 64 hex digits)")
            return EXIT_USAGE
    if check_signatures and Ed25519PublicKey is None:
        print(
            "SIGNATURES NOT CHECKED: the Python package `cryptography` is not installed, so the Ed25519 signatures\n"
            "of the checkpoints cannot be verified. Install it (pip install cryptography) and run again, or pass\n"
            "--no-signatures to check only the hashes (which alone do not prove who produced the pack)."
        )
        return EXIT_NO_SIGNATURES
    verifier = Verifier(Pack(location), args.key_fingerprint, check_signatures, args.deep, sys.stdout)
    return verifier.run()


if __name__ == "__main__":
    sys.exit(main())
