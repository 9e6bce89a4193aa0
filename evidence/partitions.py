"""Monthly partitions of the event store on PostgreSQL: created ahead, dropped whole by retention.

The web role never runs this: creating and dropping partitions needs the table owner (the maintenance role,
docs/evidence-store.md). On SQLite there are no partitions; retention deletes old rows inside a maintenance
transaction that lifts the append-only trigger and puts it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction

TABLE = "evidence_event"
_PARTITION = re.compile(r"^evidence_event_(\d{4})_(\d{2})$")
MIN_RETENTION_DAYS = 183


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y_%m}"


def retention_days() -> int:
    days = settings.AIMS_EVIDENCE_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(f"Evidence retention must be at least {MIN_RETENTION_DAYS} days, not {days}.")
    return days


def existing_partitions(using: str = "default") -> list[date]:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        months = []
        for (name,) in cursor.fetchall():
            match = _PARTITION.match(name)
            if match:
                months.append(date(int(match.group(1)), int(match.group(2)), 1))
    return sorted(months)


def ensure_partitions(*, start: date | None = None, months_ahead: int = 3, using: str = "default") -> list[str]:
    """Create the monthly partitions from `start`'s month to `months_ahead` months past today. Idempotent."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    today = datetime.now(UTC).date()
    month = _month_start(start or today)
    last = _month_start(today)
    for _ in range(months_ahead):
        last = _next_month(last)
    created = []
    existing = set(existing_partitions(using))
    with connection.cursor() as cursor:
        while month <= last:
            if month not in existing:
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{partition_name(month)}" PARTITION OF {TABLE} '
                    "FOR VALUES FROM (%s) TO (%s)",
                    [datetime(month.year, month.month, 1, tzinfo=UTC), _as_utc(_next_month(month))],
                )
                created.append(partition_name(month))
            month = _next_month(month)
    return created


def _as_utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@dataclass(frozen=True)
class RetentionResult:
    cutoff: datetime
    dropped: list[str]
    deleted_rows: int


def apply_retention(
    *, days: int | None = None, now: datetime | None = None, using: str = "default"
) -> RetentionResult:
    """Remove events older than the retention period, whole months at a time; never less than 183 days.

    A month goes only when all of it is past the cutoff, so the kept evidence always covers the full period.
    Checkpoints are kept (they are what shows that a dropped month existed).
    """
    days = retention_days() if days is None else days
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(f"Evidence retention must be at least {MIN_RETENTION_DAYS} days, not {days}.")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=days)
    boundary = _as_utc(_month_start(cutoff.date()))
    connection = connections[using]
    if connection.vendor == "postgresql":
        expired = [m for m in existing_partitions(using) if _as_utc(_next_month(m)) <= boundary]
        if not expired:
            return RetentionResult(cutoff, [], 0)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            _move_chain_starts(cursor, boundary)
            for month in expired:
                cursor.execute(f'DROP TABLE "{partition_name(month)}"')
        return RetentionResult(cutoff, [partition_name(m) for m in expired], 0)
    # SQLite: the same whole-month rule, by deleting rows with the trigger lifted for this transaction.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _move_chain_starts(cursor, boundary)
        cursor.execute("DROP TRIGGER evidence_event_no_delete")
        cursor.execute(f"DELETE FROM {TABLE} WHERE received_at < %s", [boundary])  # noqa: S608
        deleted = cursor.rowcount
        cursor.execute(
            "CREATE TRIGGER evidence_event_no_delete BEFORE DELETE ON evidence_event "
            "BEGIN SELECT RAISE(ABORT, 'evidence rows in evidence_event are append-only'); END"
        )
    return RetentionResult(cutoff, [], deleted)


def _move_chain_starts(cursor: Any, boundary: datetime) -> None:
    """Before old events go, record per source where the kept chain begins and the hash that precedes it,
    so verification keeps checking every link that is still stored (evidence.verification)."""
    cursor.execute(
        "SELECT source_id, MIN(chain_index) FROM evidence_event WHERE received_at >= %s GROUP BY source_id",
        [boundary],
    )
    kept = dict(cursor.fetchall())
    cursor.execute("SELECT DISTINCT source_id FROM evidence_event WHERE received_at < %s", [boundary])
    for (source_id,) in cursor.fetchall():
        if source_id not in kept:
            # Everything this source sent is expiring: the kept chain starts after its head.
            cursor.execute(
                "UPDATE evidence_chainhead SET first_index = last_index + 1, first_prev_hash = last_hash "
                "WHERE source_id = %s",
                [source_id],
            )
    for source_id, first in kept.items():
        cursor.execute(
            "SELECT event_hash FROM evidence_event WHERE source_id = %s AND chain_index = %s", [source_id, first - 1]
        )
        row = cursor.fetchone()
        if row is not None:
            cursor.execute(
                "UPDATE evidence_chainhead SET first_index = %s, first_prev_hash = %s "
                "WHERE source_id = %s AND first_index < %s",
                [first, row[0], source_id, first],
            )


def describe(result: Any) -> str:
    return ", ".join(result.dropped) if result.dropped else "nothing"
