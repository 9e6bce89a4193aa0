"""Evidence packs: built from events ingested through the real path and signed checkpoints, then verified by the
pack's own verify.py in a separate interpreter (`python -I`, no project on the path), as an auditor would.

The helpers here are shared with test_pack_tamper.py and test_oscal.py.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from controls import services as control_services
from controls.choices import CheckOutcome
from controls.models import ImplementationRequirement, Requirement
from evidence import checkpoints, ingest, partitions, services, signing
from evidence.models import Checkpoint, Event, IngestBatch
from evidence.pack import PackError, build_pack
from tests.controls.factories import ControlImplementationFactory, stored_artifact_file
from tests.evidence.helpers import decision, heartbeat

# --- shared helpers ------------------------------------------------------------------------------------------


def days_ago(n: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=n)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def ingest_on(source: Any, when: datetime, events: list[dict[str, Any]], *, expand: bool = True) -> None:
    """Validate, claim, store and expand one batch as the ingestion request and its worker do, at `when`."""
    partitions.ensure_partitions(start=when.date())
    for event in events:
        event["occurred_at"] = (when - timedelta(seconds=1)).isoformat().replace("+00:00", "Z")
    raws = [json.dumps(e).encode() for e in events]
    parsed = ingest.validate_items(raws, now=when, limits=ingest.Limits(retention_days=400))
    assert not parsed.rejected
    result = services.ingest(source=source, parsed=parsed, received_at=when)
    assert result.batch_id is not None
    if expand:
        services.expand_batch(result.batch_id)


@pytest.fixture
def signing_key(settings, tmp_path) -> signing.SigningKey:
    key = signing.generate()
    path = tmp_path / "signing-key.pem"
    signing.save(key, path)
    settings.AIMS_SIGNING_KEY_FILE = str(path)
    return key


@pytest.fixture
def signed_history(evidence_source, signing_key):
    """Five days of a source's evidence, signed: the period under audit is days 4..2 ago; day 5 ago comes before
    it (the anchor), day 4 ago is empty, yesterday comes after it."""
    ingest_on(evidence_source, at(days_ago(5)), [decision(producer_seq=1), decision(producer_seq=2)])
    ingest_on(evidence_source, at(days_ago(3), 9), [decision(producer_seq=3), heartbeat(seq=4)])
    ingest_on(
        evidence_source,
        at(days_ago(3), 15),
        [decision(producer_seq=5, decision="block"), decision(producer_seq=6), decision(producer_seq=7)],
    )
    ingest_on(evidence_source, at(days_ago(2), 1), [decision(producer_seq=8 + i) for i in range(6)])
    ingest_on(evidence_source, at(days_ago(1)), [decision(producer_seq=20)])
    checkpoints.sign_due_checkpoints()
    return evidence_source


PERIOD = {"date_from": 4, "date_to": 2}


def build(tmp_path: Path, **overrides: Any) -> tuple[Path, Any]:
    out = tmp_path / "pack.zip"
    params = {
        "out": out,
        "date_from": days_ago(PERIOD["date_from"]),
        "date_to": days_ago(PERIOD["date_to"]),
        "summary_pdf": b"%PDF-1.4\n% summary\n",
        "seed": 42,
    }
    params.update(overrides)
    result = build_pack(**params)
    return out, result


def unpack(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(into)
    return into


def run_verify(pack_dir: Path, *args: str, fingerprint: str | None = None, python: list[str] | None = None):
    command = [*(python or [sys.executable, "-I"]), "verify.py", *args]
    if fingerprint:
        command += ["--key-fingerprint", fingerprint]
    return subprocess.run(command, cwd=pack_dir, capture_output=True, text=True, timeout=120)


def read_events(pack_dir: Path, source: str = "litellm-prod") -> list[dict[str, Any]]:
    """The events lines, with the envelope's exact text as "canonical" (it sits in the line verbatim)."""
    lines = []
    with gzip.open(pack_dir / "events" / f"{source}.ndjson.gz", "rt", encoding="utf-8") as handle:
        for text in handle:
            record = json.loads(text)
            canonical = text[text.index(',"envelope":') + len(',"envelope":') : -2]
            assert json.loads(canonical) == record.pop("envelope")
            lines.append({**record, "canonical": canonical})
    return lines


def write_events(pack_dir: Path, lines: list[dict[str, Any]], source: str = "litellm-prod") -> None:
    text = "".join(
        f'{{"chain_index":{line["chain_index"]},"leaf_hash":"{line["leaf_hash"]}",'
        f'"event_hash":"{line["event_hash"]}","envelope":{line["canonical"]}}}\n'
        for line in lines
    )
    (pack_dir / "events" / f"{source}.ndjson.gz").write_bytes(gzip.compress(text.encode(), mtime=0))


def rewrite_manifest(pack_dir: Path, mutate: Callable[[dict[str, Any]], None] | None = None) -> None:
    """What a forger does after changing a file: recompute every size and digest in the manifest."""
    manifest = json.loads((pack_dir / "manifest.json").read_text())
    if mutate:
        mutate(manifest)
    for entry in manifest["files"]:
        data = (pack_dir / entry["path"]).read_bytes()
        entry["size"], entry["sha256"] = len(data), hashlib.sha256(data).hexdigest()
    (pack_dir / "manifest.json").write_text(json.dumps(manifest, indent=2))


def rechain(lines: list[dict[str, Any]], prev_hex: str) -> None:
    """Recompute every leaf and event hash so the chain is consistent again after an edit."""
    prev = bytes.fromhex(prev_hex)
    for line in lines:
        leaf = hashlib.sha256(line["canonical"].encode()).digest()
        prev = hashlib.sha256(prev + leaf).digest()
        line["leaf_hash"], line["event_hash"] = leaf.hex(), prev.hex()


# --- building ---------------------------------------------------------------------------------------------------


def test_an_intact_pack_verifies_offline_with_the_pinned_key(signed_history, signing_key, tmp_path) -> None:
    archive, result = build(tmp_path)
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == result.sha256
    assert archive.stat().st_size == result.size
    pack_dir = unpack(archive, tmp_path / "pack")

    verified = run_verify(pack_dir, fingerprint=signing_key.fingerprint)

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "RESULT: OK, intact and signed by the pinned key" in verified.stdout
    assert "events: litellm-prod: 11 events checked" in verified.stdout


def test_verify_reads_the_zip_itself_and_recomputes_the_sample_in_deep_mode(signed_history, signing_key, tmp_path):
    archive, _ = build(tmp_path)
    pack_dir = unpack(archive, tmp_path / "pack")

    verified = run_verify(pack_dir, str(archive), "--deep", fingerprint=signing_key.fingerprint)

    assert verified.returncode == 0, verified.stdout
    assert "sampling: recomputed from the seed" in verified.stdout


def test_the_pack_holds_the_periods_events_exactly_as_hashed(signed_history, tmp_path) -> None:
    archive, result = build(tmp_path)
    pack_dir = unpack(archive, tmp_path / "pack")
    lines = read_events(pack_dir)
    stored = list(
        Event.objects.filter(source=signed_history, chain_index__gte=2, chain_index__lte=12).order_by("chain_index")
    )

    assert [line["chain_index"] for line in lines] == list(range(2, 13))
    assert [line["canonical"] for line in lines] == [event.canonical for event in stored]
    assert [line["event_hash"] for line in lines] == [event.event_hash for event in stored]
    source = result.manifest["sources"][0]
    before = Event.objects.get(source=signed_history, chain_index=1)
    assert (source["first_index"], source["last_index"], source["events"]) == (2, 12, 11)
    assert source["prev_hash"] == before.event_hash
    assert source["anchor_day"] == days_ago(5).isoformat()


def test_the_checkpoints_of_every_day_and_the_anchor_are_in_the_pack(signed_history, signing_key, tmp_path) -> None:
    archive, result = build(tmp_path)
    pack_dir = unpack(archive, tmp_path / "pack")
    lines = [json.loads(line) for line in (pack_dir / "checkpoints" / "litellm-prod.jsonl").read_text().splitlines()]
    keys = json.loads((pack_dir / "keys.json").read_text())["keys"]

    stored = Checkpoint.objects.filter(source=signed_history, day__gte=days_ago(5), day__lte=days_ago(2))
    assert [line["body"] for line in lines] == [c.body for c in stored.order_by("day")]
    assert lines[0]["anchor"] is True and "anchor" not in lines[1]
    assert [json.loads(line["body"])["count"] for line in lines[1:]] == [0, 5, 6]
    assert keys[0]["fingerprint"] == signing_key.fingerprint == result.manifest["keys"][0]["fingerprint"]


def test_the_manifest_lists_every_file_with_its_digest(signed_history, tmp_path) -> None:
    archive, result = build(tmp_path)
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        listed = {entry["path"]: entry for entry in result.manifest["files"]}
        for path, entry in listed.items():
            data = zf.read(path)
            assert (len(data), hashlib.sha256(data).hexdigest()) == (entry["size"], entry["sha256"])
        embedded = json.loads(zf.read("manifest.json"))
    assert names == set(listed) | {"manifest.json"}
    assert {"summary.pdf", "verify.py", "README.txt", "keys.json", "sampling.json"} <= names
    assert "oscal/assessment-results.json" in names and "controls/index.csv" in names
    assert embedded == result.manifest
    assert embedded["parameters"] == {"seed": 42, "sample_size": 25}
    assert embedded["counts"]["events"] == 11
    assert embedded["period"]["from"] == days_ago(4).isoformat()


def test_verify_py_in_the_pack_is_the_template_verbatim(signed_history, tmp_path) -> None:
    archive, _ = build(tmp_path)
    template = Path(__file__).resolve().parents[2] / "evidence" / "pack" / "verify_template.py"
    with zipfile.ZipFile(archive) as zf:
        assert zf.read("verify.py") == template.read_bytes()


def test_without_cryptography_verify_says_signatures_were_not_checked(signed_history, signing_key, tmp_path):
    pack_dir = unpack(build(tmp_path)[0], tmp_path / "pack")
    # The same interpreter with the package made unimportable, as on a machine without it.
    hide = [
        sys.executable,
        "-I",
        "-c",
        "import runpy, sys; sys.modules['cryptography'] = None; sys.argv = sys.argv[1:]; "
        "runpy.run_path(sys.argv[0], run_name='__main__')",
    ]

    refused = run_verify(pack_dir, fingerprint=signing_key.fingerprint, python=hide)
    unsigned = run_verify(pack_dir, "--no-signatures", python=hide)

    assert refused.returncode == 3
    assert "SIGNATURES NOT CHECKED" in refused.stdout and "cryptography" in refused.stdout
    assert unsigned.returncode == 0, unsigned.stdout
    assert "signatures were NOT checked" in unsigned.stdout


def test_verify_refuses_to_run_without_a_pinned_key(signed_history, tmp_path) -> None:
    pack_dir = unpack(build(tmp_path)[0], tmp_path / "pack")

    result = run_verify(pack_dir)

    assert result.returncode == 2
    assert "--key-fingerprint" in result.stdout


def test_a_period_not_yet_signed_is_refused(signed_history, tmp_path) -> None:
    with pytest.raises(PackError, match="on or before"):
        build(tmp_path, date_to=datetime.now(UTC).date())
    assert not (tmp_path / "pack.zip").exists()


def test_a_day_whose_events_are_unsigned_is_refused(evidence_source, signing_key, tmp_path) -> None:
    ingest_on(evidence_source, at(days_ago(3)), [decision()])
    checkpoints.sign_due_checkpoints(until=days_ago(4))
    # The builder signs what is due itself; a pending batch keeps the day unsigned.
    ingest_on(evidence_source, at(days_ago(2)), [decision()], expand=False)
    assert IngestBatch.objects.filter(status="pending").exists()

    with pytest.raises(PackError, match=r"not covered by a signed checkpoint|no signed checkpoint"):
        build(tmp_path, date_from=days_ago(3), date_to=days_ago(2))


def test_the_pack_streams_to_a_binary_stream_and_reports_progress(signed_history, settings, tmp_path) -> None:
    settings.AIMS_PACK_SUMMARY_RENDERER = "aims.reports.no_such_module.render_summary"
    buffer = io.BytesIO()
    seen: list[int] = []

    result = build_pack(
        out=buffer, date_from=days_ago(4), date_to=days_ago(2), summary_pdf=None, seed=7, progress=seen.append
    )

    assert hashlib.sha256(buffer.getvalue()).hexdigest() == result.sha256
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)
    assert result.manifest["summary"] is None and "no summary.pdf" in result.manifest["summary_note"]
    with zipfile.ZipFile(buffer) as zf:
        assert "summary.pdf" not in zf.namelist()


# --- controls, artifacts and sampling -----------------------------------------------------------------------------


@pytest.fixture
def operated_control(db, signed_history):
    """A control implementation for A.6.2.8 with a passing check result in the period, and manual evidence."""
    control_services.load_frameworks()
    implementation = ControlImplementationFactory(code="CTL-LOG-01", name="Decision log")
    requirement = Requirement.objects.get(framework__slug="iso42001", ref="A.6.2.8")
    ImplementationRequirement.objects.create(implementation=implementation, requirement=requirement)
    control_services.record_check_result(
        implementation=implementation,
        period_start=at(days_ago(3), 0),
        period_end=at(days_ago(3), 23),
        metric="M-LOG-CONT",
        value=Decimal(0),
        target="= 0",
        outcome=CheckOutcome.PASS,
        source="automated:log-continuity",
    )
    stored = stored_artifact_file(implementation.owner, name="logging-policy.pdf")
    stored.artifact.effective_on = days_ago(30)
    stored.artifact.save()
    stored.artifact.implementations.add(implementation)
    return implementation


def test_controls_carry_their_check_results_and_evidence_files(operated_control, tmp_path) -> None:
    pack_dir = unpack(build(tmp_path)[0], tmp_path / "pack")

    sheet = (pack_dir / "controls" / "A.6.2.8.csv").read_text()
    index = (pack_dir / "controls" / "index.csv").read_text()
    artifacts = json.loads((pack_dir / "artifacts" / "index.json").read_text())["artifacts"]

    assert "CTL-LOG-01" in sheet and "M-LOG-CONT" in sheet and "pass" in sheet
    assert "A.6.2.8" in index and "operating" in index
    assert artifacts[0]["implementations"] == ["CTL-LOG-01"]
    copied = pack_dir / artifacts[0]["files"][0]["path"]
    assert hashlib.sha256(copied.read_bytes()).hexdigest() == artifacts[0]["files"][0]["sha256"]
    assert artifacts[0]["files"][0]["matches_upload"] is True


def test_the_sample_is_reproducible_from_the_seed_and_traceable_to_events(operated_control, tmp_path) -> None:
    first = unpack(build(tmp_path, seed=5)[0], tmp_path / "one")
    sampling = json.loads((first / "sampling.json").read_text())
    again = json.loads((unpack(build(tmp_path, seed=5)[0], tmp_path / "two") / "sampling.json").read_text())
    other = json.loads((unpack(build(tmp_path, seed=6)[0], tmp_path / "three") / "sampling.json").read_text())

    assert sampling["seed"] == 5 and sampling["controls"] == again["controls"]
    by_index = {line["chain_index"]: json.loads(line["canonical"])["event"] for line in read_events(first)}
    log_control = next(c for c in sampling["controls"] if c["control"] == "A.6.2.8")
    assert log_control["population"] == "all_events" and log_control["population_size"] == 11
    assert len(log_control["sample"]) == 11  # fewer members than the sample size: all of them
    blocks = next(c for c in sampling["controls"] if c["population"] == "blocks")
    assert [by_index[s["chain_index"]]["decision"] for s in blocks["sample"]] == ["block"]
    for control in sampling["controls"]:
        for item in control["sample"]:
            assert by_index[item["chain_index"]]["event_id"] == item["event_id"]
    decisions = [c for c in sampling["controls"] if c["population"] == "decisions"]
    assert decisions and all(len(c["sample"]) == 10 for c in decisions)
    assert [c["sample"] for c in sampling["controls"]] != [c["sample"] for c in other["controls"]] or all(
        c["population_size"] <= 25 for c in sampling["controls"]
    )


def test_the_command_builds_a_pack(signed_history, signing_key, tmp_path) -> None:
    out = tmp_path / "cli.zip"
    stdout = io.StringIO()

    call_command(
        "build_evidence_pack",
        "--from",
        days_ago(4).isoformat(),
        "--to",
        days_ago(2).isoformat(),
        "--out",
        str(out),
        "--seed",
        "3",
        stdout=stdout,
    )

    assert "sha256:" in stdout.getvalue() and "events: 11" in stdout.getvalue()
    assert run_verify(unpack(out, tmp_path / "cli"), fingerprint=signing_key.fingerprint).returncode == 0
