"""Writes of the evidence app: sources and their tokens, ingestion, and expansion into the hash chain."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.exceptions import Conflict, NotAllowed, ServiceError
from aims.core.tokens import hash_token
from evidence import canonical, chain, rollups
from evidence.choices import BatchStatus
from evidence.ingest import Parsed
from evidence.models import ChainHead, Event, EvidenceSource, IngestBatch, SourceDay, SourceNode, SourceToken

log = logging.getLogger(__name__)

EXPAND_CHUNK = 1000


# --- sources and tokens -----------------------------------------------------------------------------------
@transaction.atomic
def create_source(
    *,
    user: Any,
    name: str,
    owner: Any,
    description: str = "",
    heartbeat_seconds: int = 300,
    rate_limit_per_minute: int = 120_000,
    use_cases: Iterable[Any] = (),
    check_permission: bool = True,
) -> EvidenceSource:
    if check_permission and not user.has_perm("evidence.add_evidencesource"):
        raise NotAllowed("You may not register evidence sources.")
    source = EvidenceSource(
        name=name,
        owner=owner,
        description=description,
        heartbeat_seconds=heartbeat_seconds,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    source.full_clean()
    source._history_user = user
    source._change_reason = "Source registered"
    source.save()
    if use_cases:
        source.use_cases.set(use_cases)
    ChainHead.objects.create(source=source)
    audit.record(AuditKind.CONFIG_CHANGE, actor=user, subject=source, summary=f"Evidence source {name} registered")
    return source


@transaction.atomic
def issue_source_token(
    *,
    source: EvidenceSource,
    user: Any,
    name: str = "gateway",
    days: int | None = None,
    check_permission: bool = True,
) -> tuple[SourceToken, str]:
    """A new token for the source; the key is returned once. Older tokens stay valid until revoked."""
    if check_permission and not user.has_perm("evidence.change_evidencesource"):
        raise NotAllowed("You may not issue evidence-source tokens.")
    key = SourceToken.generate_key()
    token = SourceToken(
        source=source,
        name=name,
        prefix=key[:13],
        key_hash=hash_token(key),
        created_by=user if getattr(user, "pk", None) else None,
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    token.full_clean()
    token.save()
    audit.record(
        AuditKind.CONFIG_CHANGE, actor=user, subject=source, summary=f"Token {token.prefix}… issued for {source}"
    )
    return token, key


@transaction.atomic
def revoke_source_token(*, token: SourceToken, user: Any) -> SourceToken:
    if not user.has_perm("evidence.change_evidencesource"):
        raise NotAllowed("You may not revoke evidence-source tokens.")
    if not SourceToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        raise Conflict("This token is already revoked.")
    token.refresh_from_db()
    audit.record(AuditKind.CONFIG_CHANGE, actor=user, subject=token.source, summary=f"Token {token.prefix}… revoked")
    return token


def authenticate_source(key: str) -> SourceToken | None:
    token = SourceToken.objects.select_related("source").filter(key_hash=hash_token(key)).first()
    now = timezone.now()
    if token is None or not token.is_active(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        SourceToken.objects.filter(pk=token.pk).update(last_used_at=now)
        audit.record(
            AuditKind.TOKEN_USED,
            actor_label=f"source:{token.source.name}",
            subject=token.source,
            summary=f"Source token {token.prefix}… used",
        )
    return token


# --- ingestion ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IngestResult:
    batch_id: str | None
    accepted: int
    duplicates: int
    rejected: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


def _claim(source: EvidenceSource, batch: IngestBatch, event_ids: list[str]) -> set[str]:
    """Claim each (source, event_id) for this batch; return the ids this request won.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING, which PostgreSQL and SQLite both speak: a concurrent
    request claiming the same id waits on the unique index until the first commits, then sees a conflict.
    """
    if not event_ids:
        return set()
    table = "evidence_dedupekey"
    batch_value = batch.id if connection.vendor == "postgresql" else batch.id.hex
    won: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(event_ids), 500):
            part = event_ids[start : start + 500]
            rows = ", ".join(["(%s, %s, %s)"] * len(part))
            params: list[Any] = []
            for event_id in part:
                params += [source.pk, event_id, batch_value]
            cursor.execute(
                f"INSERT INTO {table} (source_id, event_id, batch_id) VALUES {rows} "  # noqa: S608  fixed names
                "ON CONFLICT (source_id, event_id) DO NOTHING RETURNING event_id",
                params,
            )
            won.update(row[0] for row in cursor.fetchall())
    return won


def ingest(*, source: EvidenceSource, parsed: Parsed, received_at: datetime) -> IngestResult:
    """Claim the valid items' ids and store the winners as one durable batch, in one transaction.

    Only after the commit is the expansion task enqueued, so a 202 always means the batch is stored.
    """
    duplicates = parsed.in_batch_duplicates
    with transaction.atomic():
        # The id exists before the row, so the claims can name the batch that is saved only if one is won.
        batch = IngestBatch(id=uuid.uuid4(), source=source, received_at=received_at, item_count=0, payload="")
        won = _claim(source, batch, [event_id for _, event_id, _, _ in parsed.accepted])
        items = [raw for _, event_id, raw, _ in parsed.accepted if event_id in won]
        duplicates += len(parsed.accepted) - len(items)
        if not items:
            return IngestResult(None, 0, duplicates, parsed.rejected)
        batch.item_count = len(items)
        batch.payload = (b"[" + b",".join(items) + b"]").decode()
        batch.save(force_insert=True)
        batch_id = str(batch.id)
        transaction.on_commit(lambda: enqueue_expansion(batch_id))
    return IngestResult(batch_id, len(items), duplicates, parsed.rejected)


def enqueue_expansion(batch_id: str) -> None:
    """Hand a committed batch to the worker. The batch is already durable, so a broker outage must not turn
    the 202 into an error: the sweeper finds the batch and enqueues it once the broker is back."""
    from evidence.tasks import expand_batch

    try:
        expand_batch.delay(batch_id)
    except Exception:  # kombu and redis raise several unrelated types for "broker unreachable"
        if getattr(expand_batch.app.conf, "task_always_eager", False):
            raise  # inline expansion failing is a bug to see, not an outage to ride out
        log.warning("evidence: could not enqueue batch %s; the sweeper will retry it", batch_id, exc_info=True)


# --- expansion into the chain ------------------------------------------------------------------------------
def known_use_case_keys() -> set[str] | None:
    """The register's use-case keys, or None when there is no register to ask (then every key is unknown)."""
    try:
        use_case = apps.get_model("registry", "UseCase")
    except LookupError:
        return None
    return set(use_case.objects.values_list("key", flat=True))


def _columns(event: dict[str, Any], known: set[str] | None) -> dict[str, Any]:
    model = event.get("model") or {}
    use_case = event.get("use_case") or ""
    return {
        "event_id": event["event_id"],
        "kind": event["kind"],
        "occurred_at": datetime.fromisoformat(event["occurred_at"]),
        "node_id": event["node_id"],
        "producer_seq": event.get("producer_seq"),
        "use_case": use_case,
        # Unknown keys are accepted but flagged (DESIGN.md); heartbeats name no use case.
        "use_case_known": not use_case or (known is not None and use_case in known),
        "stage": event.get("stage") or "",
        "decision": event.get("decision") or "",
        "model_requested": (model.get("requested") or "")[:200],
    }


def expand_batch(batch_id: str) -> int:
    """Append a stored batch to its source's chain; return how many events were written (0 if done before).

    The chain head's row lock makes this the source's only writer, and the batch is re-read under that lock,
    so a re-delivered task or the sweeper finding the same batch writes nothing twice.
    """
    with transaction.atomic():
        batch = IngestBatch.objects.select_related("source").filter(pk=batch_id).first()
        if batch is None or batch.status != BatchStatus.PENDING:
            return 0
        head = ChainHead.objects.select_for_update().get(source_id=batch.source_id)
        batch = IngestBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != BatchStatus.PENDING:
            return 0
        source_name = batch.source.name
        received_at = chain.format_received_at(batch.received_at)
        known = known_use_case_keys()
        prev = bytes.fromhex(head.last_hash)
        index = head.last_index
        rows: list[dict[str, Any]] = []
        written = 0
        stats = _BatchStats()
        rolled = rollups.BatchRollup(batch.source)
        for raw_item in _raw_items(batch.payload):
            item = canonical.decode_item(raw_item)
            index += 1
            text = canonical.envelope(source_name, index, received_at, raw_item, item)
            leaf = chain.leaf_hash(text)
            prev = chain.next_hash(prev, leaf)
            columns = _columns(item, known)
            stats.add(item, columns)
            rolled.add(item, columns)
            rows.append(
                {
                    "source_id": batch.source_id,
                    "chain_index": index,
                    "received_at": batch.received_at,
                    "batch_id": batch.id,
                    "canonical": text.decode(),
                    "leaf_hash": leaf.hex(),
                    "event_hash": prev.hex(),
                    **columns,
                }
            )
            if len(rows) >= EXPAND_CHUNK:
                _insert_events(rows)
                written += len(rows)
                rows = []
        if rows:
            _insert_events(rows)
            written += len(rows)
        ChainHead.objects.filter(pk=head.pk).update(last_index=index, last_hash=prev.hex(), updated_at=timezone.now())
        rolled.save()  # before stats.save: gaps compare with each node's state before this batch
        stats.save(batch.source_id, batch.received_at.astimezone(UTC).date())
        IngestBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.EXPANDED, expanded_at=timezone.now())
    return written


@dataclass
class _NodeStats:
    first: datetime
    last: datetime
    last_heartbeat: datetime | None = None
    counters: dict[str, int] | None = None
    seqs: set[int] = field(default_factory=set)
    events: int = 0


class _BatchStats:
    """What one batch adds to the per-node and per-day tables; written once per batch, under the chain lock."""

    def __init__(self) -> None:
        self.nodes: dict[str, _NodeStats] = {}
        self.events = 0
        self.unknown = 0

    def add(self, item: dict[str, Any], columns: dict[str, Any]) -> None:
        self.events += 1
        self.unknown += 0 if columns["use_case_known"] else 1
        occurred = columns["occurred_at"]
        node = self.nodes.get(columns["node_id"])
        if node is None:
            node = self.nodes[columns["node_id"]] = _NodeStats(first=occurred, last=occurred)
        node.first, node.last = min(node.first, occurred), max(node.last, occurred)
        node.events += 1
        if columns["producer_seq"] is not None:
            node.seqs.add(columns["producer_seq"])
        if columns["kind"] == "heartbeat" and (node.last_heartbeat is None or occurred >= node.last_heartbeat):
            node.last_heartbeat = occurred
            node.counters = item.get("counters")

    def save(self, source_id: int, day: date) -> None:
        existing = {n.node_id: n for n in SourceNode.objects.filter(source_id=source_id, node_id__in=list(self.nodes))}
        for node_id, stats in self.nodes.items():
            node = existing.get(node_id) or SourceNode(
                source_id=source_id, node_id=node_id, first_seen_at=stats.first, last_seen_at=stats.last
            )
            node.first_seen_at = min(node.first_seen_at, stats.first)
            node.last_seen_at = max(node.last_seen_at, stats.last)
            node.event_count += stats.events
            if stats.seqs:
                # Dedupe already refused re-sent events, so each producer_seq arrives once per node.
                node.seq_min = min(stats.seqs) if node.seq_min is None else min(node.seq_min, min(stats.seqs))
                node.seq_max = max(stats.seqs) if node.seq_max is None else max(node.seq_max, max(stats.seqs))
                node.seq_count += len(stats.seqs)
            if stats.last_heartbeat and (
                node.last_heartbeat_at is None or stats.last_heartbeat >= node.last_heartbeat_at
            ):
                node.last_heartbeat_at = stats.last_heartbeat
                node.counters = stats.counters or {}
            node.save()
        day_row, _ = SourceDay.objects.get_or_create(source_id=source_id, day=day)
        SourceDay.objects.filter(pk=day_row.pk).update(
            events=F("events") + self.events, unknown_use_case=F("unknown_use_case") + self.unknown
        )


_raw_list = msgspec.json.Decoder(list[msgspec.Raw])
EVENT_COLUMNS = [
    "source_id",
    "chain_index",
    "received_at",
    "batch_id",
    "event_id",
    "kind",
    "occurred_at",
    "node_id",
    "producer_seq",
    "use_case",
    "use_case_known",
    "stage",
    "decision",
    "model_requested",
    "canonical",
    "leaf_hash",
    "event_hash",
]


def _raw_items(payload: str) -> list[bytes]:
    return [bytes(raw) for raw in _raw_list.decode(payload.encode())]


def _insert_events(rows: list[dict[str, Any]]) -> None:
    """Write a chunk of events: COPY on PostgreSQL (several times faster than INSERT), bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        statement = f"COPY evidence_event ({', '.join(EVENT_COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in EVENT_COLUMNS])
    else:
        Event.objects.bulk_create([Event(**row) for row in rows])


def stale_pending_batches(older_than: timedelta) -> list[str]:
    cutoff = timezone.now() - older_than
    return [
        str(pk)
        for pk in IngestBatch.objects.filter(status=BatchStatus.PENDING, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:1000]
    ]


def pending_backlog() -> int:
    return IngestBatch.objects.filter(status=BatchStatus.PENDING).count()


def validate_source_name(name: str) -> None:
    if EvidenceSource.objects.filter(name=name).exists():
        raise ServiceError(f"A source named {name!r} exists.", fields={"name": ["This name is taken."]})


def event_as_json(event: Event) -> dict[str, Any]:
    return json.loads(event.canonical)["event"]
