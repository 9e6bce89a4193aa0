"""Rollups of decision events and gaps of gateway nodes, kept up to date by expansion (issue 8, item 4).

Expansion hands every item of a batch to a `BatchRollup` and saves it once, inside the transaction that
appends the batch to the chain and under the source's `ChainHead` row lock. So:

- the rows of one source have a single writer, so a read-merge-write of each key (one SELECT, then one
  INSERT ... ON CONFLICT DO UPDATE per table and batch) is correct on SQLite and PostgreSQL alike;
- each event is counted exactly once: a batch expanded twice (a redelivered task, the sweeper) finds its status
  no longer pending and writes nothing, and if expansion fails the rollups roll back with the chain.

What is counted, per source, use case, model (as requested), decision and bundle revision, per UTC day of
`occurred_at` and, for the last `HOURLY_DAYS` days, per UTC hour:

- `events`: decision events (heartbeats are signs of life, not decisions);
- `redaction_executed`: events whose `redaction.executed` is true;
- `fail_open`: decisions the gateway could not make and let through by its fail mode, i.e. `decision` is
  `error` and `fail_mode` is `open` (enforcement/events.py `error_event`: every decision event names its use
  case's fail mode, so `fail_mode == "open"` alone is not a failure);
- tokens, cost (decimal strings, summed exactly at 6 places), latency sum, count and histogram
  (`LATENCY_BOUNDS_MS`; sums kept in whole microseconds so that any grouping of events gives the same total);
- `redactions`: `redaction.counts` summed by entity type.

`RuleRollup` counts, per rule, the events whose `reasons` name that rule: the rules that decided.

Gaps (`NodeGap`): while saving, each node's events in the batch are compared, in time order, with the node's
last sign of life before the batch (`SourceNode.last_seen_at`, which expansion updates after this hook) and
with each other; a silence longer than the source's `heartbeat_seconds` is a gap. A jump in `producer_seq`
past `SourceNode.seq_max + 1` is a sequence gap. `rebuild` replays the stored chain batch by batch in chain
order, so it finds exactly what live expansion found.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import msgspec
from celery import shared_task
from django.db import connection, models, transaction
from django.utils import timezone

from evidence.choices import EventKind, Granularity, Outcome
from evidence.models import ChainHead, Event, EvidenceSource, NodeGap, Rollup, RuleRollup, SourceNode
from evidence.models.rollups import LATENCY_BOUNDS_MS, empty_histogram

HOURLY_DAYS = 7
DAY, HOUR, DECISION = Granularity.DAY.value, Granularity.HOUR.value, EventKind.DECISION.value  # plain str: hot loop
CENT = Decimal("0.000001")
FLUSH_KEYS = 5000  # rebuild writes its sums out once this many keys are held, so memory stays bounded

RollupKey = tuple[str, datetime, str, str, str, str]  # granularity, bucket, use case, model, decision, revision
RuleKey = tuple[str, datetime, str, str, str]  # granularity, bucket, use case, rule id, decision


def is_fail_open(item: dict[str, Any]) -> bool:
    """A decision made while failing open: the engine could not decide and the gateway let the request through."""
    return item.get("decision") == Outcome.ERROR and item.get("fail_mode") == "open"


def hourly_cutoff(now: datetime | None = None) -> datetime:
    """Hourly rows start here; older ones are pruned (and neither expansion nor rebuild writes them)."""
    moment = (now or timezone.now()).astimezone(UTC) - timedelta(days=HOURLY_DAYS)
    return moment.replace(minute=0, second=0, microsecond=0)


def day_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _number(value: Any) -> float | None:
    # Expansion decodes floats as msgspec.Raw (their JCS text); rebuild reads plain JSON floats.
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, msgspec.Raw):
        value = bytes(value).decode()
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _count(value: Any) -> int:
    number = _number(value)
    return int(number) if number is not None and number > 0 else 0


def _cost(value: Any) -> Decimal:
    if isinstance(value, msgspec.Raw):
        value = bytes(value).decode()
    if value is None or isinstance(value, bool):
        return Decimal(0)
    try:
        cost = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    if not cost.is_finite() or cost < 0:
        return Decimal(0)
    if cost.as_tuple().exponent >= -6:  # type: ignore[operator]  finite, so an int
        return cost  # already whole micro-units: nothing to round
    return cost.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(slots=True)
class Measures:
    """What one decision event contributes, read once and added to each of its buckets."""

    executed: int
    fail_open: int
    prompt_tokens: int
    completion_tokens: int
    cost: Decimal
    latency_us: int
    latency_bucket: int | None
    redactions: list[tuple[str, int]]

    @classmethod
    def of(cls, item: dict[str, Any]) -> Measures:
        redaction = item.get("redaction") or {}
        metrics = item.get("metrics") or {}
        latency = _number(metrics.get("latency_ms"))
        timed = latency is not None and latency >= 0
        counts = redaction.get("counts")
        entities = []
        if isinstance(counts, dict):
            entities = [(str(entity), n) for entity, value in counts.items() if (n := _count(value))]
        return cls(
            executed=1 if redaction.get("executed") is True else 0,
            fail_open=1 if is_fail_open(item) else 0,
            prompt_tokens=_count(metrics.get("prompt_tokens")),
            completion_tokens=_count(metrics.get("completion_tokens")),
            cost=_cost(metrics.get("cost")),
            latency_us=round(latency * 1000) if timed else 0,
            latency_bucket=bisect.bisect_left(LATENCY_BOUNDS_MS, latency) if timed else None,
            redactions=entities,
        )


@dataclass
class Totals:
    events: int = 0
    redaction_executed: int = 0
    fail_open: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))
    latency_us: int = 0
    latency_count: int = 0
    histogram: list[int] = field(default_factory=empty_histogram)
    redactions: dict[str, int] = field(default_factory=dict)

    def add(self, m: Measures) -> None:
        self.events += 1
        self.redaction_executed += m.executed
        self.fail_open += m.fail_open
        self.prompt_tokens += m.prompt_tokens
        self.completion_tokens += m.completion_tokens
        self.cost += m.cost
        if m.latency_bucket is not None:
            self.latency_us += m.latency_us
            self.latency_count += 1
            self.histogram[m.latency_bucket] += 1
        for entity, n in m.redactions:
            self.redactions[entity] = self.redactions.get(entity, 0) + n

    def merge_into(self, row: Rollup) -> None:
        row.events += self.events
        row.redaction_executed += self.redaction_executed
        row.fail_open += self.fail_open
        row.prompt_tokens += self.prompt_tokens
        row.completion_tokens += self.completion_tokens
        row.cost = (Decimal(row.cost) + self.cost).quantize(CENT)
        row.latency_sum_ms = (round(row.latency_sum_ms * 1000) + self.latency_us) / 1000
        row.latency_count += self.latency_count
        stored = list(row.latency_histogram or [])
        stored += [0] * (len(self.histogram) - len(stored))
        row.latency_histogram = [a + b for a, b in zip(stored, self.histogram, strict=False)]
        merged = dict(row.redactions or {})
        for entity, n in self.redactions.items():
            merged[entity] = merged.get(entity, 0) + n
        row.redactions = dict(sorted(merged.items()))


ROLLUP_KEY = ["granularity", "bucket", "source", "use_case", "model", "decision", "revision"]
RULE_KEY = ["granularity", "bucket", "source", "use_case", "rule_id", "decision"]
ROLLUP_FIELDS = [
    "events",
    "redaction_executed",
    "fail_open",
    "prompt_tokens",
    "completion_tokens",
    "cost",
    "latency_sum_ms",
    "latency_count",
    "latency_histogram",
    "redactions",
]


class RollupSums:
    """Rollup and rule sums of a set of decision events, written out as one upsert per key."""

    def __init__(self, source_id: int, *, now: datetime | None = None) -> None:
        self.source_id = source_id
        self.cutoff = hourly_cutoff(now)
        self.rows: dict[RollupKey, Totals] = {}
        self.rules: dict[RuleKey, int] = {}

    def __len__(self) -> int:
        return len(self.rows) + len(self.rules)

    def add(self, item: dict[str, Any], occurred: datetime) -> None:
        if item.get("kind") != DECISION:
            return
        use_case = str(item.get("use_case") or "")[:128]
        model = str((item.get("model") or {}).get("requested") or "")[:200]
        decision = str(item.get("decision") or "")[:16]
        revision = str((item.get("policy") or {}).get("revision") or "")[:64]
        if occurred.tzinfo is not UTC:
            occurred = occurred.astimezone(UTC)
        hour = occurred.replace(minute=0, second=0, microsecond=0)
        buckets = [(DAY, hour.replace(hour=0)), (HOUR, hour)] if hour >= self.cutoff else [(DAY, hour.replace(hour=0))]
        reasons = [r for r in item.get("reasons") or [] if isinstance(r, dict) and r.get("rule_id")]
        rule_ids = sorted({str(r["rule_id"])[:128] for r in reasons})
        measures = Measures.of(item)
        for grain, bucket in buckets:
            key = (grain, bucket, use_case, model, decision, revision)
            totals = self.rows.get(key)
            if totals is None:
                totals = self.rows[key] = Totals()
            totals.add(measures)
            for rule_id in rule_ids:
                rule_key = (grain, bucket, use_case, rule_id, decision)
                self.rules[rule_key] = self.rules.get(rule_key, 0) + 1

    def save(self) -> None:
        """Merge the sums into the stored rows: one read, one insert and one update per table."""
        if self.rows:
            self._save_rollups()
        if self.rules:
            self._save_rules()
        self.rows, self.rules = {}, {}

    def _save_rollups(self) -> None:
        buckets = {key[1] for key in self.rows}
        existing = {
            (r.granularity, r.bucket, r.use_case, r.model, r.decision, r.revision): r
            for r in Rollup.objects.filter(source_id=self.source_id, bucket__in=buckets)
        }
        rows = []
        for key, totals in self.rows.items():
            row = existing.get(key)
            if row is None:
                grain, bucket, use_case, model, decision, revision = key
                row = Rollup(
                    source_id=self.source_id,
                    granularity=grain,
                    bucket=bucket,
                    use_case=use_case,
                    model=model,
                    decision=decision,
                    revision=revision,
                    cost=Decimal(0),
                    latency_histogram=empty_histogram(),
                    redactions={},
                )
            totals.merge_into(row)
            rows.append(row)
        # One INSERT ... ON CONFLICT DO UPDATE for new and existing keys alike (far cheaper than bulk_update).
        _upsert(Rollup, rows, ROLLUP_KEY, ROLLUP_FIELDS)

    def _save_rules(self) -> None:
        buckets = {key[1] for key in self.rules}
        existing = {
            (r.granularity, r.bucket, r.use_case, r.rule_id, r.decision): r.events
            for r in RuleRollup.objects.filter(source_id=self.source_id, bucket__in=buckets)
        }
        rows = [
            RuleRollup(
                source_id=self.source_id,
                granularity=grain,
                bucket=bucket,
                use_case=use_case,
                rule_id=rule_id,
                decision=decision,
                events=existing.get((grain, bucket, use_case, rule_id, decision), 0) + events,
            )
            for (grain, bucket, use_case, rule_id, decision), events in self.rules.items()
        ]
        _upsert(RuleRollup, rows, RULE_KEY, ["events"])


def _upsert(model: type[models.Model], rows: list[models.Model], key: list[str], values: list[str]) -> None:
    """INSERT ... ON CONFLICT (key) DO UPDATE SET each value column to the merged value computed in Python.

    The statement bulk_create(update_conflicts=True) would write, without its per-row ORM overhead, which on
    small batches cost more than inserting the events themselves. PostgreSQL and SQLite speak it alike.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in key + values]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    conflict = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in key)
    updates = ", ".join(
        f"{connection.ops.quote_name(model._meta.get_field(name).column)} = excluded."
        f"{connection.ops.quote_name(model._meta.get_field(name).column)}"
        for name in values
    )
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 200):
            part = rows[start : start + 200]
            params: list[Any] = []
            for row in part:
                params += [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(part))} "  # noqa: S608  names
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}",
                params,
            )


# --- gaps ---------------------------------------------------------------------------------------------------
@dataclass
class NodeState:
    """What is known of a node before a batch: its last sign of life and its highest producer_seq."""

    last_seen: datetime | None = None
    seq_max: int | None = None


def find_gaps(
    source_id: int,
    sightings: dict[str, list[tuple[datetime, int | None]]],
    state: dict[str, NodeState],
    heartbeat_seconds: int,
) -> list[NodeGap]:
    """The gaps one batch shows, given each node's state before it; `state` is advanced past the batch."""
    limit = timedelta(seconds=heartbeat_seconds)
    gaps: list[NodeGap] = []
    for node_id, seen in sightings.items():
        before = state.setdefault(node_id, NodeState())
        cursor = before.last_seen
        for moment, _ in sorted(seen, key=lambda s: s[0]):
            if cursor is not None and moment - cursor > limit:
                gaps.append(_gap(source_id, node_id, NodeGap.Kind.SILENCE, cursor, moment))
            cursor = moment if cursor is None else max(cursor, moment)
        previous_seq, previous_time = before.seq_max, before.last_seen
        for moment, seq in sorted((s for s in seen if s[1] is not None), key=lambda s: (s[1], s[0])):
            if previous_seq is not None and seq > previous_seq + 1:
                start = previous_time or moment
                gaps.append(
                    _gap(source_id, node_id, NodeGap.Kind.SEQUENCE, start, moment, missing=seq - previous_seq - 1)
                )
            if previous_seq is None or seq > previous_seq:
                previous_seq, previous_time = seq, moment
        before.last_seen = cursor
        before.seq_max = previous_seq
    return gaps


def _gap(source_id: int, node_id: str, kind: str, first: datetime, second: datetime, *, missing: int = 0) -> NodeGap:
    started, ended = min(first, second), max(first, second)
    return NodeGap(
        source_id=source_id,
        node_id=node_id,
        kind=kind,
        started_at=started,
        ended_at=ended,
        seconds=(ended - started).total_seconds(),
        missing=missing,
    )


class BatchRollup:
    """What one batch adds to the rollups and gaps of its source; `services.expand_batch` feeds and saves it."""

    def __init__(self, source: EvidenceSource, *, now: datetime | None = None) -> None:
        self.source_id = source.pk
        self.heartbeat_seconds = source.heartbeat_seconds
        self.sums = RollupSums(source.pk, now=now)
        self.sightings: dict[str, list[tuple[datetime, int | None]]] = {}

    def add(self, item: dict[str, Any], columns: dict[str, Any]) -> None:
        occurred = columns["occurred_at"]
        self.sightings.setdefault(columns["node_id"], []).append((occurred, columns["producer_seq"]))
        self.sums.add(item, occurred)

    def save(self) -> None:
        """Call before SourceNode is updated for the batch: the gaps compare with the nodes' state before it."""
        state = {
            n.node_id: NodeState(last_seen=n.last_seen_at, seq_max=n.seq_max)
            for n in SourceNode.objects.filter(source_id=self.source_id, node_id__in=list(self.sightings))
        }
        gaps = find_gaps(self.source_id, self.sightings, state, self.heartbeat_seconds)
        NodeGap.objects.bulk_create(gaps)
        self.sums.save()


# --- rebuild and pruning -------------------------------------------------------------------------------------
@dataclass
class RebuildResult:
    source: str
    events: int
    rollups: int
    rule_rollups: int
    gaps: int


def rebuild(source: EvidenceSource, *, start: datetime | None = None, end: datetime | None = None) -> RebuildResult:
    """Recompute a source's rollups (buckets in [start, end)) and gaps (started in it) from the stored events.

    Runs under the source's chain lock, so no batch is expanded meanwhile. Streams events with iterator() and
    writes sums out every FLUSH_KEYS keys: memory stays bounded whatever the period. `start` and `end` are
    UTC midnights (whole days), so that day rows are recomputed whole.
    """
    with transaction.atomic():
        ChainHead.objects.select_for_update().get(source_id=source.pk)
        bounds: dict[str, datetime] = {}
        if start is not None:
            bounds["bucket__gte"] = start
        if end is not None:
            bounds["bucket__lt"] = end
        Rollup.objects.filter(source=source, **bounds).delete()
        RuleRollup.objects.filter(source=source, **bounds).delete()
        events = Event.objects.filter(source=source, kind=EventKind.DECISION)
        if start is not None:
            events = events.filter(occurred_at__gte=start)
        if end is not None:
            events = events.filter(occurred_at__lt=end)
        sums = RollupSums(source.pk)
        counted = 0
        for text in events.order_by().values_list("canonical", flat=True).iterator(chunk_size=2000):
            item = json.loads(text)["event"]
            sums.add(item, datetime.fromisoformat(item["occurred_at"]))
            counted += 1
            if len(sums) >= FLUSH_KEYS:
                sums.save()
        sums.save()
        gaps = _rebuild_gaps(source, start, end)
        rollups = Rollup.objects.filter(source=source, **bounds).count()
        rules = RuleRollup.objects.filter(source=source, **bounds).count()
    return RebuildResult(source.name, counted, rollups, rules, gaps)


def _chain_batches(source: EvidenceSource) -> Iterator[list[tuple[str, datetime, int | None]]]:
    """The stored chain in expansion order, one list of (node, occurred_at, producer_seq) per batch."""
    rows = (
        Event.objects.filter(source=source)
        .order_by("chain_index")
        .values_list("batch_id", "node_id", "occurred_at", "producer_seq")
        .iterator(chunk_size=5000)
    )
    current, items = None, []
    for batch_id, node_id, occurred, seq in rows:
        if batch_id != current and items:
            yield items
            items = []
        current = batch_id
        items.append((node_id, occurred, seq))
    if items:
        yield items


def _rebuild_gaps(source: EvidenceSource, start: datetime | None, end: datetime | None) -> int:
    window = NodeGap.objects.filter(source=source)
    if start is not None:
        window = window.filter(started_at__gte=start)
    if end is not None:
        window = window.filter(started_at__lt=end)
    window.delete()
    state: dict[str, NodeState] = {}
    found = 0
    for batch in _chain_batches(source):
        sightings: dict[str, list[tuple[datetime, int | None]]] = {}
        for node_id, occurred, seq in batch:
            sightings.setdefault(node_id, []).append((occurred, seq))
        gaps = [
            gap
            for gap in find_gaps(source.pk, sightings, state, source.heartbeat_seconds)
            if (start is None or gap.started_at >= start) and (end is None or gap.started_at < end)
        ]
        NodeGap.objects.bulk_create(gaps)
        found += len(gaps)
    return found


def prune_hourly(now: datetime | None = None) -> int:
    """Delete hourly rows older than HOURLY_DAYS; day rows stay for the retention period."""
    cutoff = hourly_cutoff(now)
    deleted, _ = Rollup.objects.filter(granularity=Granularity.HOUR, bucket__lt=cutoff).delete()
    rules, _ = RuleRollup.objects.filter(granularity=Granularity.HOUR, bucket__lt=cutoff).delete()
    return deleted + rules


@shared_task(name="evidence.tasks.prune_hourly_rollups")
def prune_hourly_rollups() -> int:
    return prune_hourly()


def sources_named(names: Iterable[str] | None) -> list[EvidenceSource]:
    sources = EvidenceSource.objects.order_by("name")
    if names:
        sources = sources.filter(name__in=list(names))
    return list(sources)
