"""Evidence sources and the tamper-evident store of what they report.

DESIGN.md, Evidence contract: a source (one gateway deployment) pushes decision events; the request claims
each event id in a dedupe table and stores the accepted items as one durable batch; a worker later expands the
batch into the source's hash chain. Events are append-only: the database refuses UPDATE and DELETE on them
(triggers on PostgreSQL and SQLite), and production runs the web role without those rights.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.core.tokens import generate_key
from evidence.choices import BatchStatus

SOURCE_TOKEN_PREFIX = "aims_src_"  # noqa: S105  a public marker of the token kind, not a secret
ZERO_HASH = "0" * 64


class EvidenceSourceQuerySet(RestrictedQuerySet):
    pass


class EvidenceSource(models.Model):
    """One enforcement deployment (e.g. a LiteLLM proxy with our plugin) whose decisions are operating evidence.

    Serves ISO/IEC 42001 9.1 (monitoring and measurement) and the Annex A controls an enforcement layer
    evidences (A.6.2.6 operation and monitoring, A.6.2.8 event logs, A.9.4 intended use). Governed: every
    change is in its history. `heartbeat_seconds` is how often the gateway promises a heartbeat, so a longer
    silence is a gap; `rate_limit_per_minute` bounds the events one source may push.
    """

    name = models.SlugField(max_length=100, unique=True, help_text="Stable name; it is part of every hash.")
    description = models.CharField(max_length=300, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence_sources")
    use_cases = models.ManyToManyField(
        "registry.UseCase", blank=True, related_name="evidence_sources", help_text="The use cases it enforces."
    )
    heartbeat_seconds = models.PositiveIntegerField(default=300)
    rate_limit_per_minute = models.PositiveIntegerField(default=120_000)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceSourceQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[use_cases])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SourceToken(models.Model):
    """A bearer token of one evidence source (`Authorization: Bearer <key>`). Only its SHA-256 is stored.

    Several can be active at once so a gateway can rotate without a gap; each can expire and be revoked.
    """

    source = models.ForeignKey(EvidenceSource, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source}: {self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return generate_key(SOURCE_TOKEN_PREFIX)

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ChainHead(models.Model):
    """The ends of one source's hash chain. Its row lock makes the chain's writer single (DESIGN.md, Chain).

    `first_index` and `first_prev_hash` say where the stored chain begins: 0 and the zero hash until retention
    drops whole months, which moves them forward. Verification starts there, so a deleted first event shows.
    """

    source = models.OneToOneField(EvidenceSource, on_delete=models.PROTECT, primary_key=True, related_name="head")
    last_index = models.BigIntegerField(default=-1)
    last_hash = models.CharField(max_length=64, default=ZERO_HASH)
    first_index = models.BigIntegerField(default=0)
    first_prev_hash = models.CharField(max_length=64, default=ZERO_HASH)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]

    def __str__(self) -> str:
        return f"{self.source} @ {self.last_index}"


class IngestBatch(models.Model):
    """The accepted items of one ingestion request, stored durably before the 202 answer.

    `payload` holds the items exactly as received (a JSON array of their raw bytes). A worker expands the
    batch into events; a sweeper re-enqueues batches whose task was lost. Not under history: append-only.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="batches")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING)
    item_count = models.PositiveIntegerField()
    payload = models.TextField()
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["received_at"]
        indexes = [
            # The sweeper and the backlog check read only pending batches; keep that scan tiny.
            models.Index(
                fields=["received_at"],
                name="batch_pending_idx",
                condition=models.Q(status=BatchStatus.PENDING),
            ),
            models.Index(fields=["source", "received_at"], name="batch_source_idx"),
        ]

    def __str__(self) -> str:
        return f"batch {self.id} of {self.source_id} ({self.item_count} items, {self.status})"


class DedupeKey(models.Model):
    """One claimed `(source, event_id)`: a re-delivered event is counted as a duplicate and stored once."""

    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(max_length=128)
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="+", db_constraint=False)

    class Meta:
        ordering = ["source", "event_id"]
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="dedupe_source_event_uniq")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.event_id}"


class Event(models.Model):
    """One decision or heartbeat, in its source's hash chain (DESIGN.md, Chain and integrity).

    `canonical` is the RFC 8785 form of the envelope {source, chain_index, received_at, event}, stored as text
    exactly as hashed: `leaf = SHA-256(canonical)`, `event_hash = SHA-256(prev_hash || leaf)`. The other
    columns are copies for queries; verification reads only `canonical` and the hashes. On PostgreSQL the
    table is partitioned by month of `received_at` (migration 0002, hand-written SQL) and nothing points at it.
    """

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(EvidenceSource, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    chain_index = models.BigIntegerField()
    received_at = models.DateTimeField()
    batch_id = models.UUIDField()
    event_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16)
    occurred_at = models.DateTimeField()
    node_id = models.CharField(max_length=128)
    producer_seq = models.BigIntegerField(null=True)
    use_case = models.CharField(max_length=128, blank=True)
    use_case_known = models.BooleanField(default=True)
    stage = models.CharField(max_length=16, blank=True)
    decision = models.CharField(max_length=16, blank=True)
    model_requested = models.CharField(max_length=200, blank=True)
    canonical = models.TextField()
    leaf_hash = models.CharField(max_length=64)
    event_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["source", "chain_index"]
        indexes = [
            # Verification walks one source's chain in order; the explorer filters by source and time.
            models.Index(fields=["source", "chain_index"], name="event_chain_idx"),
            models.Index(fields=["source", "received_at"], name="event_source_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}#{self.chain_index} {self.kind} {self.event_id}"


class SourceNode(models.Model):
    """One gateway replica of a source, as its events describe it: last seen, sequence coverage, counters.

    Kept up to date by expansion, one write per node per batch, so the sources page and the continuity check
    read this instead of scanning events. Sequence holes are `(seq_max - seq_min + 1) - seq_count`, which
    holds whatever order events arrive in. Derived data: not under history.
    """

    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="nodes")
    node_id = models.CharField(max_length=128)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)
    seq_min = models.BigIntegerField(null=True)
    seq_max = models.BigIntegerField(null=True)
    seq_count = models.BigIntegerField(default=0)
    event_count = models.BigIntegerField(default=0)
    counters = models.JSONField(default=dict, blank=True, help_text="The last heartbeat's cumulative counters.")

    class Meta:
        ordering = ["source", "node_id"]
        constraints = [models.UniqueConstraint(fields=["source", "node_id"], name="sourcenode_source_node_uniq")]

    def __str__(self) -> str:
        return f"{self.source_id}/{self.node_id}"

    @property
    def sequence_holes(self) -> int:
        if self.seq_min is None or self.seq_max is None:
            return 0
        return max(0, (self.seq_max - self.seq_min + 1) - self.seq_count)

    def silent_for(self, now: datetime | None = None) -> float:
        return ((now or timezone.now()) - self.last_seen_at).total_seconds()


class SourceDay(models.Model):
    """Events received per source and UTC day, kept by expansion (the smallest rollup; part 2 adds more)."""

    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="days")
    day = models.DateField()
    events = models.BigIntegerField(default=0)
    unknown_use_case = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["source", "-day"]
        constraints = [models.UniqueConstraint(fields=["source", "day"], name="sourceday_source_day_uniq")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.day}: {self.events}"
