"""Signing daily checkpoints, recording the signing key, pushing checkpoints out and verifying them.

DESIGN.md, Checkpoints and Keys. The body format and its signature are evidence.checkpoint_format's (the pack's
verify.py uses the same rules); this module decides which days are due, keeps the chain of prev_signature,
records which key signed, and delivers each checkpoint to the configured external sinks.

A day is due when it is strictly before today UTC (less a short grace, so a request that took its received_at
just before midnight has committed), and no batch of that source received that day is still pending. Signing
walks forward from the day after the source's last checkpoint and stops at the first day that is not due, so
the checkpoints of a source always form an unbroken run of days.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import rfc8785
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from aims.audit.choices import AuditKind
from aims.audit.services import record as audit
from evidence import checkpoint_format, signing
from evidence.choices import BatchStatus
from evidence.models import (
    ChainHead,
    Checkpoint,
    CheckpointPush,
    Event,
    EvidenceSource,
    IngestBatch,
    PushStatus,
    SigningKey,
)

log = logging.getLogger(__name__)

# A request stamps received_at before it commits; wait this long past midnight before a day counts as closed.
GRACE = timedelta(minutes=5)
SINK_DIRECTORY = "directory"
SINK_WEBHOOK = "webhook"
MAX_PUSH_ATTEMPTS = 12
WEBHOOK_TIMEOUT_SECONDS = 10
MAX_PROBLEMS = 20


# --- keys -----------------------------------------------------------------------------------------------------


def var_dir() -> Path:
    """Where the local development key lives: settings.VAR_DIR (AIMS_VAR_DIR), else BASE_DIR/var."""
    configured = getattr(settings, "AIMS_VAR_DIR", None) or getattr(settings, "VAR_DIR", None)
    return Path(configured) if configured else Path(settings.BASE_DIR) / "var"


def current_key() -> signing.SigningKey:
    """The configured private key (AIMS_SIGNING_KEY_FILE), or a local one created once under var/."""
    configured = getattr(settings, "AIMS_SIGNING_KEY_FILE", "")
    if configured:
        return signing.load(Path(configured))
    return signing.load_or_create(var_dir() / "signing-key.pem")


def current_fingerprint() -> str:
    """The current key's fingerprint for report covers, SoA approvals and pages; "" if no key can be read."""
    try:
        return current_key().fingerprint
    except (OSError, ValueError):
        log.warning("checkpoint signing key unreadable", exc_info=True)
        return ""


@transaction.atomic
def ensure_key_record(key: signing.SigningKey | None = None) -> SigningKey:
    """The database row of the configured key, recording a rotation when the configured key changed.

    The previous current row is retired (not deleted: its checkpoints still name it), the new key becomes
    current, and the audit trail says which key replaced which.
    """
    key = key or current_key()
    current = SigningKey.objects.select_for_update().filter(retired_at__isnull=True).first()
    if current is not None and current.key_id == key.key_id:
        return current
    now = timezone.now()
    if current is not None:
        current.retired_at = now
        current.save(update_fields=["retired_at"])
    row = SigningKey.objects.select_for_update().filter(key_id=key.key_id).first()
    if row is not None:
        # A key that was retired and is configured again: it becomes current once more, and that is recorded.
        row.retired_at = None
        row.note = (row.note + f" Reactivated {now:%Y-%m-%d %H:%M} UTC.").strip()[:200]
        row.save(update_fields=["retired_at", "note"])
    else:
        row = SigningKey(
            key_id=key.key_id,
            fingerprint=key.fingerprint,
            public_key=key.public_b64,
            activated_at=now,
            note="Replaced " + current.key_id if current is not None else "First checkpoint signing key",
        )
        row.full_clean()
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            # Another worker recorded the same key at the same moment; theirs is the record.
            return SigningKey.objects.get(key_id=key.key_id)
    if current is not None:
        summary = f"Checkpoint signing key rotated from {current.key_id} to {row.key_id}"
    else:
        summary = f"Checkpoint signing key {row.key_id} activated"
    audit(
        AuditKind.CONFIG_CHANGE,
        summary=summary,
        actor_label="system",
        subject=row,
        details={
            "key_id": row.key_id,
            "fingerprint": row.fingerprint,
            "previous_key_id": current.key_id if current is not None else None,
            "previous_fingerprint": current.fingerprint if current is not None else None,
        },
    )
    return row


# --- signing --------------------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def last_due_day(now: datetime | None = None) -> date:
    """The last day that may be signed now: yesterday UTC, once a short grace past midnight has gone by."""
    return ((now or timezone.now()) - GRACE).astimezone(UTC).date() - timedelta(days=1)


def day_chain(source: EvidenceSource, day: date) -> Iterator[tuple[int, str]]:
    """(chain_index, event_hash) of the events the source received on a UTC day, in chain order."""
    start, end = day_bounds(day)
    return (
        Event.objects.filter(source=source, received_at__gte=start, received_at__lt=end)
        .order_by("chain_index")
        .values_list("chain_index", "event_hash")
        .iterator(chunk_size=10_000)
    )


def _first_day(source: EvidenceSource) -> date:
    first = Event.objects.filter(source=source).order_by("chain_index").values_list("received_at", flat=True).first()
    moment = first if first is not None else source.created_at
    return moment.astimezone(UTC).date()


def _first_pending_day(source: EvidenceSource) -> date | None:
    pending = (
        IngestBatch.objects.filter(source=source, status=BatchStatus.PENDING)
        .order_by("received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return pending.astimezone(UTC).date() if pending is not None else None


def configured_sinks() -> list[str]:
    sinks = []
    if getattr(settings, "AIMS_CHECKPOINT_SINK_DIR", ""):
        sinks.append(SINK_DIRECTORY)
    if getattr(settings, "AIMS_CHECKPOINT_SINK_URL", ""):
        sinks.append(SINK_WEBHOOK)
    return sinks


def _sign_day(
    source: EvidenceSource, day: date, prev: Checkpoint | None, key: signing.SigningKey, record: SigningKey
) -> Checkpoint:
    body = checkpoint_format.build(
        source=source.name,
        day=day,
        chain=day_chain(source, day),
        prev_signature=prev.signature if prev is not None else None,
        key_id=key.key_id,
    )
    signature = checkpoint_format.sign(body, key)
    checkpoint = Checkpoint(
        source=source,
        day=day,
        count=body.count,
        first_index=body.first_index,
        last_index=body.last_index,
        merkle_root=body.merkle_root,
        prev_signature=body.prev_signature,
        key=record,
        signature=signature,
        body=body.message().decode(),
        signed_at=timezone.now(),
    )
    checkpoint.save()
    CheckpointPush.objects.bulk_create(CheckpointPush(checkpoint=checkpoint, sink=s) for s in configured_sinks())
    return checkpoint


def sign_source(
    source: EvidenceSource, *, until: date, key: signing.SigningKey, record: SigningKey
) -> list[Checkpoint]:
    """Sign the source's due days after its last checkpoint, up to `until`, stopping at a pending day."""
    prev = Checkpoint.objects.filter(source=source).order_by("-day").first()
    day = prev.day + timedelta(days=1) if prev is not None else _first_day(source)
    pending = _first_pending_day(source)
    signed: list[Checkpoint] = []
    while day <= until and (pending is None or day < pending):
        try:
            with transaction.atomic():
                prev = _sign_day(source, day, prev, key, record)
        except IntegrityError:
            # Another signer got there first; its checkpoint is the one that counts, so stop for this source.
            log.info("checkpoint %s %s already signed by another worker", source.name, day)
            break
        signed.append(prev)
        day += timedelta(days=1)
    return signed


def sign_due_checkpoints(*, source: EvidenceSource | None = None, until: date | None = None) -> list[Checkpoint]:
    """Sign every due day of one source (or of all sources), up to `until` (never past yesterday UTC)."""
    limit = last_due_day()
    until = min(until, limit) if until is not None else limit
    key = current_key()
    record = ensure_key_record(key)
    sources = [source] if source is not None else list(EvidenceSource.objects.order_by("name"))
    signed: list[Checkpoint] = []
    for each in sources:
        signed.extend(sign_source(each, until=until, key=key, record=record))
    if signed and configured_sinks():
        from evidence import tasks

        transaction.on_commit(tasks.push_checkpoints.delay)
    return signed


# --- external sinks -------------------------------------------------------------------------------------------


def sink_document(checkpoint: Checkpoint) -> dict[str, Any]:
    """What a sink receives: the signed body (as the exact text and as JSON), the signature and the key."""
    key = checkpoint.key
    return {
        "source": checkpoint.source.name,
        "day": checkpoint.day.isoformat(),
        "body": checkpoint.body,
        "checkpoint": json.loads(checkpoint.body),
        "signature": checkpoint.signature,
        "key_id": key.key_id,
        "key_fingerprint": key.fingerprint,
        "public_key": key.public_key,
    }


def sink_bytes(checkpoint: Checkpoint) -> bytes:
    return rfc8785.dumps(sink_document(checkpoint)) + b"\n"


class SinkError(Exception):
    pass


def write_to_directory(checkpoint: Checkpoint, root: Path) -> Path:
    """Write `<root>/<source>/<day>.json` once: never overwrite; an identical existing file counts as pushed."""
    content = sink_bytes(checkpoint)
    folder = root / checkpoint.source.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{checkpoint.day.isoformat()}.json"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        if path.read_bytes() == content:
            return path
        raise SinkError(f"{path} already holds a different checkpoint; it was not overwritten") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        path.unlink(missing_ok=True)
        raise
    return path


def post_to_webhook(checkpoint: Checkpoint, url: str) -> int:
    if not url.startswith(("http://", "https://")):
        raise SinkError("the checkpoint webhook must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310  scheme checked above
        url,
        data=json.dumps(sink_document(checkpoint)).encode(),
        headers={"Content-Type": "application/json", "User-Agent": "aims-checkpoints/1"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        raise SinkError(f"the webhook answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise SinkError(f"the webhook is unreachable: {getattr(exc, 'reason', exc)}") from None


def push_one(push: CheckpointPush) -> CheckpointPush:
    """Deliver one checkpoint to one sink and record the attempt, whatever its outcome."""
    push.attempts += 1
    try:
        if push.sink == SINK_DIRECTORY:
            write_to_directory(push.checkpoint, Path(settings.AIMS_CHECKPOINT_SINK_DIR))
        elif push.sink == SINK_WEBHOOK:
            post_to_webhook(push.checkpoint, settings.AIMS_CHECKPOINT_SINK_URL)
        else:
            raise SinkError(f"unknown sink {push.sink!r}")
    except (SinkError, OSError, AttributeError) as exc:
        push.status = PushStatus.FAILED
        push.last_error = str(exc)[:2000]
        log.warning("checkpoint push to %s failed: %s", push.sink, push.last_error)
    else:
        push.status = PushStatus.PUSHED
        push.last_error = ""
        push.pushed_at = timezone.now()
    push.save(update_fields=["attempts", "status", "last_error", "pushed_at", "updated_at"])
    return push


def retry_delay(attempts: int) -> timedelta:
    """Backoff between attempts of one push: 1, 2, 4 ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def push_due(*, now: datetime | None = None) -> dict[str, int]:
    """Push every checkpoint not yet delivered to a configured sink whose backoff has passed."""
    now = now or timezone.now()
    sinks = configured_sinks()
    for sink in sinks:
        # Checkpoints signed before this sink was configured get their row now.
        missing = Checkpoint.objects.exclude(pushes__sink=sink).values_list("pk", flat=True)
        CheckpointPush.objects.bulk_create(
            (CheckpointPush(checkpoint_id=pk, sink=sink) for pk in missing.iterator()), ignore_conflicts=True
        )
    counts = {"pushed": 0, "failed": 0, "waiting": 0}
    open_pushes = (
        CheckpointPush.objects.filter(sink__in=sinks, attempts__lt=MAX_PUSH_ATTEMPTS)
        .exclude(status=PushStatus.PUSHED)
        .select_related("checkpoint__source", "checkpoint__key")
        .order_by("checkpoint__day", "pk")
    )
    for push in open_pushes:
        if push.attempts and push.updated_at + retry_delay(push.attempts) > now:
            counts["waiting"] += 1
            continue
        push_one(push)
        counts["pushed" if push.status == PushStatus.PUSHED else "failed"] += 1
    return counts


# --- verification ---------------------------------------------------------------------------------------------


@dataclass
class CheckpointReport:
    source: str
    checked: int = 0
    first_day: date | None = None
    last_day: date | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, day: date | None, reason: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"checkpoint {day}: {reason}" if day else reason)


def recorded_public_keys() -> dict[str, bytes]:
    return {k.key_id: base64.b64decode(k.public_key) for k in SigningKey.objects.all()}


def _retained_from(source: EvidenceSource) -> date | None:
    """The first day whose events are all still stored: retention drops whole months, keeping checkpoints."""
    head = ChainHead.objects.filter(source=source).first()
    if head is None or head.first_index == 0:
        return None
    first = Event.objects.filter(source=source).order_by("chain_index").values_list("received_at", flat=True).first()
    return first.astimezone(UTC).date() + timedelta(days=1) if first is not None else date.max


def verify_checkpoint(
    checkpoint: Checkpoint, public_keys: Mapping[str, bytes], *, recompute: bool = True
) -> list[str]:
    """The problems of one checkpoint on its own: body, columns, signature, and the events it covers."""
    problems: list[str] = []
    try:
        body = json.loads(checkpoint.body)
    except ValueError:
        return ["the stored body is not JSON"]
    if not isinstance(body, dict) or rfc8785.dumps(body) != checkpoint.body.encode():
        return ["the stored body is not in canonical form"]
    columns = {
        "source": checkpoint.source.name,
        "day": checkpoint.day.isoformat(),
        "count": checkpoint.count,
        "first_index": checkpoint.first_index,
        "last_index": checkpoint.last_index,
        "merkle_root": checkpoint.merkle_root,
        "prev_signature": checkpoint.prev_signature,
        "key_id": checkpoint.key_id,
    }
    if set(body) != set(columns):
        return ["the stored body does not have the checkpoint's fields"]
    for name, value in columns.items():
        if body[name] != value:
            problems.append(f"the row's {name} differs from the signed body")
    public = public_keys.get(str(body["key_id"]))
    if public is None:
        problems.append(f"signed by unknown key {body['key_id']}")
    elif not signing.verify(public, checkpoint.body.encode(), checkpoint.signature):
        problems.append("the signature does not verify (the checkpoint was altered or signed by another key)")
    if recompute:
        again = checkpoint_format.build(
            source=checkpoint.source.name,
            day=checkpoint.day,
            chain=day_chain(checkpoint.source, checkpoint.day),
            prev_signature=body["prev_signature"],
            key_id=str(body["key_id"]),
        )
        if again.count != body["count"]:
            problems.append(f"covers {body['count']} events but {again.count} are stored for the day")
        if (again.first_index, again.last_index) != (body["first_index"], body["last_index"]):
            problems.append(
                f"covers chain {body['first_index']}..{body['last_index']} but the stored events span "
                f"{again.first_index}..{again.last_index}"
            )
        if again.merkle_root != body["merkle_root"]:
            problems.append("the Merkle root recomputed from the stored events differs (an event was changed)")
    return problems


def verify_checkpoints(
    source: EvidenceSource,
    public_keys: Mapping[str, bytes] | None = None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> CheckpointReport:
    """Check every checkpoint of a source: signature against the recorded key, body against its row, the
    prev_signature chain, no missing day between the first and the last, and the Merkle root, count and
    index range recomputed from the stored events (days whose events retention dropped are not recomputed).
    With `start`/`end`, only those days are checked; the first one still chains to the checkpoint before it."""
    keys = dict(public_keys) if public_keys is not None else recorded_public_keys()
    report = CheckpointReport(source.name)
    retained_from = _retained_from(source)
    checkpoints = Checkpoint.objects.filter(source=source).select_related("source").order_by("day")
    prev: Checkpoint | None = None
    if start is not None:
        prev = checkpoints.filter(day__lt=start).order_by("-day").first()
        checkpoints = checkpoints.filter(day__gte=start)
    if end is not None:
        checkpoints = checkpoints.filter(day__lte=end)
    for checkpoint in checkpoints.iterator(chunk_size=500):
        report.checked += 1
        report.first_day = report.first_day or checkpoint.day
        report.last_day = checkpoint.day
        recompute = retained_from is None or checkpoint.day >= retained_from
        for reason in verify_checkpoint(checkpoint, keys, recompute=recompute):
            report.problem(checkpoint.day, reason)
        expected_prev = prev.signature if prev is not None else None
        if checkpoint.prev_signature != expected_prev:
            report.problem(checkpoint.day, "prev_signature does not chain to the previous checkpoint")
        if prev is not None and checkpoint.day != prev.day + timedelta(days=1):
            missing = (checkpoint.day - prev.day).days - 1
            if missing > 0:
                report.problem(checkpoint.day, f"{missing} day(s) missing since {prev.day}")
            else:
                report.problem(checkpoint.day, "appears out of order")
        prev = checkpoint
    return report


def covering_checkpoint(event: Event) -> Checkpoint | None:
    day = event.received_at.astimezone(UTC).date()
    return Checkpoint.objects.filter(source_id=event.source_id, day=day).select_related("key", "source").first()
