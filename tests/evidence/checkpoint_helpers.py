"""Back-dated evidence for checkpoint tests: batches received on past UTC days, expanded or left pending."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from evidence import ingest, partitions, services, signing
from evidence.models import EvidenceSource
from tests.evidence.helpers import decision


@pytest.fixture(autouse=True)
def key_file(settings, tmp_path) -> Path:
    """A fresh signing key per test and no external sinks; modules that sign checkpoints import this fixture."""
    path = tmp_path / "keys" / "signing-key.pem"
    signing.save(signing.generate(), path)
    settings.AIMS_SIGNING_KEY_FILE = str(path)
    settings.AIMS_CHECKPOINT_SINK_DIR = ""
    settings.AIMS_CHECKPOINT_SINK_URL = ""
    return path


def days_ago(n: int) -> date:
    return datetime.now(UTC).date() - timedelta(days=n)


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def ingest_on(
    source: EvidenceSource, when: datetime, events: list[dict[str, Any]] | None = None, *, expand: bool = True
) -> str:
    """Store one batch as if a gateway had posted it at `when`, and expand it unless told not to."""
    partitions.ensure_partitions(start=when.date())
    events = events if events is not None else [decision(), decision()]
    for event in events:
        event["occurred_at"] = _z(when - timedelta(seconds=1))
    raws = [json.dumps(e).encode() for e in events]
    parsed = ingest.validate_items(raws, now=when, limits=ingest.Limits(retention_days=400))
    result = services.ingest(source=source, parsed=parsed, received_at=when)
    assert result.batch_id is not None
    if expand:
        services.expand_batch(result.batch_id)
    return result.batch_id


SQLITE_TRIGGERS = {
    "evidence_event": {"evidence_event_no_update": "BEFORE UPDATE", "evidence_event_no_delete": "BEFORE DELETE"},
    "evidence_checkpoint": {
        "evidence_checkpoint_no_update": "BEFORE UPDATE",
        "evidence_checkpoint_no_delete": "BEFORE DELETE",
    },
}


@contextmanager
def owner_access(table: str) -> Iterator[None]:
    """What a database owner can do behind the application's back: lift a table's append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows inserted in this test's transaction still owe their deferred foreign-key checks; run them now,
            # since PostgreSQL will not alter a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for name in SQLITE_TRIGGERS[table]:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                for name, when in SQLITE_TRIGGERS[table].items():
                    cursor.execute(
                        f"CREATE TRIGGER {name} {when} ON {table} "
                        f"BEGIN SELECT RAISE(ABORT, 'evidence rows in {table} are append-only'); END"
                    )


def tamper(table: str, statement: str, params: list | None = None) -> None:
    with owner_access(table), connection.cursor() as cursor:
        cursor.execute(statement, params or [])
