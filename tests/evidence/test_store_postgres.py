"""PostgreSQL's event store: monthly partitions ahead, retention by whole months, the web role's rights."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from io import StringIO

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from evidence import partitions, services
from evidence.management.commands.evidence_grants import grant_web_role
from evidence.models import Event, IngestBatch
from tests.conftest import require_postgres
from tests.evidence.helpers import decision


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    require_postgres()


def _month(offset: int) -> date:
    today = datetime.now(UTC).date().replace(day=1)
    year, month = divmod(today.year * 12 + today.month - 1 + offset, 12)
    return date(year, month + 1, 1)


def _stored_batch(source, received_at: datetime, count: int = 2) -> None:
    """A batch received in the past, expanded through the real path (its events land in that month)."""
    items = ",".join(
        __import__("json").dumps(decision(occurred_at=received_at.isoformat().replace("+00:00", "Z")))
        for _ in range(count)
    )
    batch = IngestBatch.objects.create(
        id=uuid.uuid4(), source=source, received_at=received_at, item_count=count, payload=f"[{items}]"
    )
    services.expand_batch(str(batch.id))


def test_partitions_exist_ahead_of_time(db) -> None:
    months = partitions.existing_partitions()
    for offset in range(4):
        assert _month(offset) in months


def test_ensure_partitions_creates_missing_months_and_is_idempotent(db) -> None:
    start = _month(-3)
    created = partitions.ensure_partitions(start=start, months_ahead=5)
    assert partitions.partition_name(start) in created
    assert partitions.partition_name(_month(5)) in created
    assert partitions.ensure_partitions(start=start, months_ahead=5) == []


def test_retention_drops_exactly_the_expired_months_and_the_chain_still_verifies(evidence_source) -> None:
    partitions.ensure_partitions(start=_month(-9))
    for offset in (-9, -8, -7, -6, -1, 0):
        month = _month(offset)
        _stored_batch(evidence_source, datetime(month.year, month.month, 15, 12, tzinfo=UTC))
    now = datetime.now(UTC)
    result = partitions.apply_retention(days=200, now=now)
    boundary = partitions._month_start((result.cutoff).date())
    expected = {partitions.partition_name(_month(o)) for o in range(-9, 1) if _month(o + 1) <= boundary}
    assert set(result.dropped) == expected and expected
    kept = set(partitions.existing_partitions())
    assert all(partitions.partition_name(m) not in result.dropped for m in kept)
    assert not Event.objects.filter(
        source=evidence_source, received_at__lt=datetime(*boundary.timetuple()[:3], tzinfo=UTC)
    ).exists()
    out = StringIO()
    call_command("verify_evidence", stdout=out)
    assert out.getvalue().startswith("ok litellm-prod")


def test_retention_below_183_days_is_refused(db) -> None:
    with pytest.raises(ImproperlyConfigured):
        partitions.apply_retention(days=100)


def test_the_web_role_cannot_change_or_remove_events(transactional_db, ingestion, evidence_source) -> None:
    from tests.evidence.helpers import post

    post(ingestion.api(), [decision(), decision()])
    role = "aims_web_test"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    grant_web_role(role)
    settings = connection.settings_dict
    web = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        autocommit=True,
    )
    try:
        with web.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM evidence_event")
            assert cursor.fetchone()[0] == 2  # it reads the evidence ...
            for statement in (
                "UPDATE evidence_event SET decision = 'allow'",
                "DELETE FROM evidence_event",
                "TRUNCATE evidence_event",
                "ALTER TABLE evidence_event DISABLE TRIGGER USER",
                f"DROP TABLE {partitions.partition_name(_month(0))}",
                f"DELETE FROM {partitions.partition_name(_month(0))}",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    cursor.execute(statement)
            cursor.execute("SELECT count(*) FROM evidence_event")
            assert cursor.fetchone()[0] == 2  # ... and could change none of it
    finally:
        web.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")
