"""Build an evidence pack: one ZIP an auditor verifies offline with the verify.py it carries (issue 10, item 3).

Layout of the ZIP (docs/evidence-pack.md):

    summary.pdf                     the report framework's summary, when one was given or could be rendered
    events/<source>.ndjson.gz       one line per event: chain_index, leaf_hash, event_hash and, as "envelope",
                                    the canonical envelope verbatim, its bytes exactly as hashed (DESIGN.md, Chain
                                    and integrity)
    checkpoints/<source>.jsonl      the signed checkpoints of the period's days: exact body text, signature, key
                                    id; the checkpoint of the day before the period first, marked "anchor"
    keys.json                       the keys that signed them: ids, fingerprints, public keys, rotation dates
    controls/index.csv, controls/<control>.csv     each control's implementations and check results
    artifacts/index.json, artifacts/<id>/<file>    manual evidence in force during the period
    oscal/assessment-results.json   the same control status as an OSCAL assessment-results document
    sampling.json                   the seeded sample of events per control
    verify.py, README.txt           the verifier (standard library + cryptography) and how to run it
    manifest.json                   every file's size and SHA-256, the keys, the parameters, counts per source

It is written as a stream: events are read with a server-side cursor in chain order and pass straight through
gzip into the ZIP, which is never seeked back (data descriptors), so memory stays flat however many events
the period holds and `out` may be a pipe or an HTTP response.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import hashlib
import io
import json
import logging
import os
import secrets
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from aims.core.csv import safe_cell
from aims.core.exceptions import ServiceError
from evidence.models import (
    ChainHead,
    Checkpoint,
    Event,
    EvidenceArtifact,
    EvidenceSource,
    SigningKey,
    SourceDay,
)
from evidence.pack import controls_export, sampling
from evidence.pack.controls_export import period_bounds

log = logging.getLogger(__name__)

FORMAT = "aims-evidence-pack/1"
VERIFY_TEMPLATE = Path(__file__).with_name("verify_template.py")
EVENT_CHUNK = 10_000
# gzip level 1: the event text is repetitive JSON and compresses about 8:1 even at the fastest level, which
# keeps a million events inside the time budget on a shared two-core machine.
GZIP_LEVEL = 1
SUMMARY_RENDERER = "aims.reports.pack_summary.render_summary"


class PackError(ServiceError):
    """The period cannot be packed as asked (not yet signed, the store disagrees with its checkpoints)."""


@dataclass(frozen=True)
class PackResult:
    sha256: str
    size: int
    manifest: dict[str, Any]


# --- streaming output ----------------------------------------------------------------------------------------
class _HashingSink(io.RawIOBase):
    """The ZIP's destination: forwards every byte and hashes it. Not seekable, so zipfile streams."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.target.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self.target.flush()


class _Entry:
    """One file of the ZIP being written, hashed as the auditor will see it once extracted."""

    def __init__(self, archive: zipfile.ZipFile, path: str, *, compress: bool, moment: datetime, large: bool) -> None:
        info = zipfile.ZipInfo(path, date_time=moment.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.path = path
        self.stream = archive.open(info, "w", force_zip64=large)
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.stream.write(data)
        self.digest.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.stream.close()


@dataclass
class _Writer:
    archive: zipfile.ZipFile
    moment: datetime
    files: list[dict[str, Any]] = field(default_factory=list)

    @contextlib.contextmanager
    def entry(self, path: str, *, compress: bool = True, large: bool = False) -> Iterator[_Entry]:
        entry = _Entry(self.archive, path, compress=compress, moment=self.moment, large=large)
        try:
            yield entry
        finally:
            entry.close()
        self.files.append({"path": path, "size": entry.size, "sha256": entry.digest.hexdigest()})

    def bytes(self, path: str, data: bytes, *, compress: bool = True) -> None:
        with self.entry(path, compress=compress) as entry:
            entry.write(data)

    def json(self, path: str, value: Any) -> None:
        self.bytes(path, (json.dumps(value, indent=2, ensure_ascii=False, default=str) + "\n").encode())

    def csv(self, path: str, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
        with self.entry(path) as entry:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            for row in rows:
                writer.writerow([safe_cell(value) for value in row])
                if buffer.tell() > 1 << 16:
                    entry.write(buffer.getvalue().encode())
                    buffer.seek(0)
                    buffer.truncate()
            entry.write(buffer.getvalue().encode())


# --- the period and its sources -------------------------------------------------------------------------------
@dataclass
class _SourcePlan:
    source: EvidenceSource
    checkpoints: list[Checkpoint]
    anchor: Checkpoint | None
    first_index: int | None
    last_index: int | None
    count: int
    prev_hash: str | None

    @property
    def name(self) -> str:
        return self.source.name


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _last_signable_day() -> date:
    from evidence.checkpoints import last_due_day

    return last_due_day()


def _sign_due(date_to: date) -> None:
    """Sign what is due up to the period's end, as the periodic task would, so the CLI works on its own."""
    from evidence.checkpoints import sign_due_checkpoints

    try:
        sign_due_checkpoints(until=date_to)
    except (OSError, ValueError) as error:
        # No readable key here: the pack can still be built from what the worker signed.
        log.warning("evidence pack: could not sign due checkpoints: %s", error)


def _plan(date_from: date, date_to: date, sources: Iterable[Any] | None) -> list[_SourcePlan]:
    chosen = EvidenceSource.objects.order_by("name")
    if sources is not None:
        names = [s.name if isinstance(s, EvidenceSource) else str(s) for s in sources]
        chosen = chosen.filter(name__in=names)
        unknown = set(names) - set(chosen.values_list("name", flat=True))
        if unknown:
            raise PackError(f"No evidence source named {', '.join(sorted(unknown))}.")
    plans = []
    for source in chosen:
        checkpoints = list(
            Checkpoint.objects.filter(source=source, day__gte=date_from, day__lte=date_to).order_by("day")
        )
        signed_days = {c.day for c in checkpoints}
        unsigned = (
            SourceDay.objects.filter(source=source, day__gte=date_from, day__lte=date_to, events__gt=0)
            .exclude(day__in=signed_days)
            .order_by("day")
            .values_list("day", flat=True)
            .first()
        )
        if unsigned is not None:
            raise PackError(
                f"The events of {source.name} on {unsigned} are not covered by a signed checkpoint yet; "
                "wait for the checkpoint task (a day is signed once it is over and no batch of it is pending).",
                fields={"date_to": ["Choose a period whose days are all signed."]},
            )
        if not checkpoints:
            continue
        if checkpoints[-1].day != date_to:
            raise PackError(
                f"{source.name} has no signed checkpoint for {checkpoints[-1].day + timedelta(days=1)} yet.",
                fields={"date_to": ["Choose a period whose days are all signed."]},
            )
        anchor = Checkpoint.objects.filter(source=source, day__lt=date_from).order_by("-day").first()
        filled = [c for c in checkpoints if c.count]
        first_index = filled[0].first_index if filled else None
        last_index = filled[-1].last_index if filled else None
        prev_hash = None
        if first_index is not None:
            head = ChainHead.objects.filter(source=source).first()
            if head is not None and first_index == head.first_index:
                prev_hash = head.first_prev_hash
            else:
                prev_hash = (
                    Event.objects.filter(source=source, chain_index=first_index - 1)
                    .values_list("event_hash", flat=True)
                    .first()
                )
        plans.append(
            _SourcePlan(source, checkpoints, anchor, first_index, last_index, sum(c.count for c in filled), prev_hash)
        )
    return plans


# --- the parts of the pack ------------------------------------------------------------------------------------
EVENT_FIELDS = ("chain_index", "canonical", "leaf_hash", "event_hash", "kind", "stage", "decision", "event_id")


def _period_events(plan: _SourcePlan, start: datetime, end: datetime) -> Any:
    return Event.objects.filter(
        source=plan.source,
        chain_index__gte=plan.first_index,
        chain_index__lte=plan.last_index,
        # The time bounds let PostgreSQL skip the months outside the period (partition pruning).
        received_at__gte=start,
        received_at__lt=end,
    )


def _event_rows(plan: _SourcePlan, start: datetime, end: datetime) -> Iterator[tuple]:
    """The period's events of one source in chain order, as plain tuples, streamed.

    On PostgreSQL a named (server-side) psycopg cursor is read directly: Django's row iterator costs a few
    microseconds an event, which is a good part of the budget at a million events. Only text and integer
    columns are read, so no per-row type conversion runs in Python.
    """
    queryset = _period_events(plan, start, end).order_by("chain_index").values_list(*EVENT_FIELDS)
    if connection.vendor != "postgresql":
        yield from queryset.iterator(chunk_size=EVENT_CHUNK)
        return
    sql, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with connection.connection.cursor(name=f"pack_{plan.source.pk}", withhold=False) as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(EVENT_CHUNK):
            yield from rows


def _population_sizes(plan: _SourcePlan, start: datetime, end: datetime, names: set[str]) -> dict[str, int]:
    """How many of the period's events each sampling population holds, in one scan."""
    if plan.first_index is None or not names:
        return dict.fromkeys(names, 0)
    counts = _period_events(plan, start, end).aggregate(
        **{name: Count("id", filter=sampling.population_q(name)) for name in sorted(names)}
    )
    return {name: counts[name] or 0 for name in names}


def _write_events(
    writer: _Writer,
    plan: _SourcePlan,
    start: datetime,
    end: datetime,
    sampler: sampling.Sampler,
    tick: Callable[[int], None],
) -> int:
    path = f"events/{plan.name}.ndjson.gz"
    written = 0
    with (
        writer.entry(path, compress=False, large=True) as entry,
        gzip.GzipFile(filename="", mode="wb", fileobj=entry, compresslevel=GZIP_LEVEL, mtime=0) as gz,  # type: ignore[arg-type]
    ):
        if plan.first_index is None:
            return 0
        rows = _event_rows(plan, start, end)
        lines: list[str] = []
        name = plan.name
        see = sampler.see
        for index, text, leaf, event_hash, kind, stage, decision, event_id in rows:
            # The canonical envelope is JSON on one line (JCS has no whitespace), so it goes in verbatim: its bytes
            # in the line are exactly the bytes that were hashed, and nothing needs escaping or unescaping.
            lines.append(
                f'{{"chain_index":{index},"leaf_hash":"{leaf}","event_hash":"{event_hash}","envelope":{text}}}\n'
            )
            see(name, kind, stage, decision, index, event_id, text)
            if len(lines) >= EVENT_CHUNK:
                gz.write("".join(lines).encode())
                written += len(lines)
                tick(len(lines))
                lines = []
        if lines:
            gz.write("".join(lines).encode())
            written += len(lines)
            tick(len(lines))
    if written != plan.count:
        raise PackError(
            f"The store holds {written} events of {plan.name} for the period, but its signed checkpoints count "
            f"{plan.count}; run `manage.py verify_evidence --source {plan.name}` before packing."
        )
    return written


def _checkpoint_line(checkpoint: Checkpoint, *, anchor: bool = False) -> str:
    line = {"body": checkpoint.body, "signature": checkpoint.signature, "key_id": checkpoint.key_id}
    if anchor:
        line["anchor"] = True
    return json.dumps(line, ensure_ascii=False) + "\n"


def _write_checkpoints(writer: _Writer, plan: _SourcePlan) -> None:
    lines = [_checkpoint_line(plan.anchor, anchor=True)] if plan.anchor is not None else []
    lines += [_checkpoint_line(c) for c in plan.checkpoints]
    writer.bytes(f"checkpoints/{plan.name}.jsonl", "".join(lines).encode())


def _keys(plans: list[_SourcePlan]) -> list[dict[str, Any]]:
    ids = {c.key_id for plan in plans for c in plan.checkpoints}
    ids |= {plan.anchor.key_id for plan in plans if plan.anchor is not None}
    return [
        {
            "key_id": key.key_id,
            "fingerprint": key.fingerprint,
            "algorithm": key.algorithm,
            "public_key": key.public_key,
            "activated_at": _z(key.activated_at),
            "retired_at": _z(key.retired_at) if key.retired_at else None,
        }
        for key in SigningKey.objects.filter(key_id__in=ids).order_by("activated_at", "key_id")
    ]


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in ".-_" else "_" for c in name).strip("._")
    return cleaned[:100] or "file"


def _write_artifacts(writer: _Writer, date_from: date, date_to: date) -> int:
    """Manual evidence in force at some point of the period (effective on or before its end, expiring on or after
    its start), each file copied as stored and checked against the SHA-256 recorded at upload."""
    index = []
    artifacts = (
        EvidenceArtifact.objects.filter(effective_on__lte=date_to, expires_on__gte=date_from)
        .prefetch_related("implementations", "files")
        .order_by("effective_on", "id")
    )
    for artifact in artifacts:
        files = []
        for stored in artifact.files.all():
            path = f"artifacts/{artifact.pk}/{stored.pk}-{_safe_name(stored.original_name)}"
            with writer.entry(path) as entry, stored.file.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    entry.write(block)
                digest = entry.digest.hexdigest()
            files.append(
                {
                    "path": path,
                    "original_name": stored.original_name,
                    "content_type": stored.content_type,
                    "size": stored.size,
                    "sha256": stored.sha256,
                    "matches_upload": digest == stored.sha256,
                    "uploaded_at": _z(stored.uploaded_at),
                }
            )
        index.append(
            {
                "id": artifact.pk,
                "title": artifact.title,
                "description": artifact.description,
                "effective_on": artifact.effective_on.isoformat(),
                "expires_on": artifact.expires_on.isoformat(),
                "implementations": sorted(i.code for i in artifact.implementations.all()),
                "files": files,
            }
        )
    writer.json("artifacts/index.json", {"period": [date_from.isoformat(), date_to.isoformat()], "artifacts": index})
    return len(index)


def _write_controls(writer: _Writer, records: list[controls_export.ControlRecord]) -> None:
    writer.csv("controls/index.csv", controls_export.INDEX_HEADER, (controls_export.index_row(r) for r in records))
    for record in records:
        writer.csv(f"controls/{record.file_name}", controls_export.RESULT_HEADER, controls_export.result_rows(record))


def _summary(summary_pdf: bytes | None, date_from: date, date_to: date, seed: int) -> tuple[bytes | None, str]:
    """The given summary, else one rendered by the report framework when it offers a renderer, else none."""
    if summary_pdf is not None:
        return summary_pdf, "given by the caller"
    dotted = getattr(settings, "AIMS_PACK_SUMMARY_RENDERER", SUMMARY_RENDERER)
    module_name, _, attribute = dotted.rpartition(".")
    try:
        render = getattr(import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return None, f"no summary.pdf: the report framework offers no renderer ({dotted})"
    try:
        return render(date_from=date_from, date_to=date_to, seed=seed), f"rendered by {dotted}"
    except Exception as error:  # a summary is a convenience: its failure must not cost the auditor the pack
        log.warning("evidence pack: the summary could not be rendered", exc_info=True)
        return None, f"no summary.pdf: rendering failed ({type(error).__name__})"


README = """AIMS evidence pack: {period_from} to {period_to} (UTC days)
=====================================================================

Generated at {generated_at}. Sources: {sources}. Events: {events}.

How to verify (Python 3.9 or later; `pip install cryptography` for the signatures):

    unzip pack.zip -d pack && cd pack
    python verify.py --key-fingerprint <FINGERPRINT>

Obtain <FINGERPRINT> from outside this pack: the key page of the portal, the cover of a report, or the SoA
approval record. Do NOT copy it from keys.json: a forged pack would carry its own key. The fingerprints of the
keys that signed this pack's checkpoints are, for comparison:

{keys}

With a key rotation inside the period, pass --key-fingerprint once per key. verify.py exits 0 when every
file matches the manifest, every event's hashes follow from its canonical text and the one before it, each
day's Merkle root, count and index range equal the checkpoint signed by the pinned key, and the checkpoints
chain to one another. Otherwise it exits 1 and names the file and the first bad event. Without the
`cryptography` package it stops with exit 3 and says the signatures were not checked (--no-signatures checks
the rest). Add --deep to parse every event and recompute the sample in sampling.json from its seed.

A copy of verify.py is also published with the portal's documentation (docs/evidence-pack.md): use that copy
when the pack's own could have been replaced.

Contents: summary.pdf (when present), events/, checkpoints/, keys.json, controls/, artifacts/,
oscal/assessment-results.json, sampling.json, manifest.json.
"""


# --- the whole pack -------------------------------------------------------------------------------------------
def _check_period(date_from: date, date_to: date) -> None:
    if date_from > date_to:
        raise PackError("The period's start is after its end.", fields={"date_from": ["Must not be after date_to."]})
    last = _last_signable_day()
    if date_to > last:
        raise PackError(
            f"The period must end on or before {last}: a day is signed only once it is over.",
            fields={"date_to": [f"At most {last}."]},
        )


@contextlib.contextmanager
def _snapshot() -> Iterator[None]:
    """One transaction for the whole read, so server-side cursors stream (no WITH HOLD copy) and, on PostgreSQL,
    every query sees the same snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def build_pack(
    *,
    out: str | Path | BinaryIO,
    date_from: date,
    date_to: date,
    summary_pdf: bytes | None,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
    sources: Iterable[Any] | None = None,
    sample_size: int = sampling.DEFAULT_SIZE,
) -> PackResult:
    """Write the evidence pack of whole UTC days [date_from, date_to] to `out` (a path or a binary stream).

    `progress` is called with the percentage done (0 to 100). `sources` limits the pack to some sources (names
    or objects); all by default. Raises PackError when a day of the period is not signed yet.
    """
    _check_period(date_from, date_to)
    _sign_due(date_to)
    seed = seed if seed is not None else secrets.randbelow(2**31)
    if isinstance(out, str | Path):
        target = Path(out)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".pack-", suffix=".zip", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                result = _build(stream, date_from, date_to, summary_pdf, seed, progress, sources, sample_size)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        return result
    return _build(out, date_from, date_to, summary_pdf, seed, progress, sources, sample_size)


def _build(
    out: IO[bytes],
    date_from: date,
    date_to: date,
    summary_pdf: bytes | None,
    seed: int,
    progress: Callable[[int], None] | None,
    sources: Iterable[Any] | None,
    sample_size: int,
) -> PackResult:
    report = progress or (lambda percent: None)
    report(0)
    generated_at = timezone.now()
    start, end = period_bounds(date_from, date_to)
    summary, summary_note = _summary(summary_pdf, date_from, date_to, seed)
    sink = _HashingSink(out)
    with _snapshot(), zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        writer = _Writer(archive, generated_at.astimezone(UTC))
        plans = _plan(date_from, date_to, sources)
        total = sum(plan.count for plan in plans) or 1
        done = [0, 0]  # events written, last percentage reported

        def tick(count: int) -> None:
            done[0] += count
            percent = min(90, 5 + done[0] * 85 // total)
            if percent != done[1]:
                done[1] = percent
                report(percent)

        if summary is not None:
            writer.bytes("summary.pdf", summary)
        controls = sampling.sampled_controls()
        sampler = sampling.Sampler(seed=seed, size=sample_size, controls=controls)
        report(5)
        source_entries = []
        for plan in plans:
            sampler.plan_source(plan.name, _population_sizes(plan, start, end, sampler.needed_populations()))
            written = _write_events(writer, plan, start, end, sampler, tick)
            _write_checkpoints(writer, plan)
            source_entries.append(
                {
                    "name": plan.name,
                    "events_file": f"events/{plan.name}.ndjson.gz",
                    "checkpoints_file": f"checkpoints/{plan.name}.jsonl",
                    "events": written,
                    "first_index": plan.first_index,
                    "last_index": plan.last_index,
                    "prev_hash": plan.prev_hash,
                    "checkpoints": len(plan.checkpoints),
                    "first_day": plan.checkpoints[0].day.isoformat(),
                    "last_day": plan.checkpoints[-1].day.isoformat(),
                    "anchor_day": plan.anchor.day.isoformat() if plan.anchor is not None else None,
                }
            )
        keys = _keys(plans)
        writer.json("keys.json", {"keys": keys})
        records = controls_export.control_records(date_from, date_to)
        _write_controls(writer, records)
        artifact_count = _write_artifacts(writer, date_from, date_to)
        report(93)
        from evidence.pack import oscal

        writer.json(
            "oscal/assessment-results.json",
            oscal.assessment_results(date_from, date_to, records=records, generated_at=generated_at, keys=keys),
        )
        sampling_document = sampler.document([plan.name for plan in plans])
        writer.json("sampling.json", sampling_document)
        writer.bytes("verify.py", VERIFY_TEMPLATE.read_bytes())
        writer.bytes(
            "README.txt",
            README.format(
                period_from=date_from.isoformat(),
                period_to=date_to.isoformat(),
                generated_at=_z(generated_at),
                sources=", ".join(p.name for p in plans) or "none",
                events=sum(e["events"] for e in source_entries),
                keys="\n".join(f"    {k['fingerprint']}  (key {k['key_id']})" for k in keys) or "    (none)",
            ).encode(),
        )
        manifest = {
            "format": FORMAT,
            "generated_at": _z(generated_at),
            "period": {"from": date_from.isoformat(), "to": date_to.isoformat(), "days": "UTC days of received_at"},
            "parameters": {"seed": seed, "sample_size": sample_size},
            "summary": "summary.pdf" if summary is not None else None,
            "summary_note": summary_note,
            "keys": [{"key_id": k["key_id"], "fingerprint": k["fingerprint"]} for k in keys],
            "sources": source_entries,
            "counts": {
                "sources": len(source_entries),
                "events": sum(e["events"] for e in source_entries),
                "checkpoints": sum(e["checkpoints"] for e in source_entries),
                "controls": len(records),
                "artifacts": artifact_count,
                "samples": sum(len(c["sample"]) for c in sampling_document["controls"]),
            },
            "files": list(writer.files),
        }
        writer.json("manifest.json", manifest)
    report(100)
    return PackResult(sha256=sink.digest.hexdigest(), size=sink.size, manifest=manifest)
