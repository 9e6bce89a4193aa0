"""Retention on the embedded default (SQLite): no partitions, the same whole-month rule, triggers kept."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from evidence import partitions, services
from evidence.models import ChainHead, Event, IngestBatch
from tests.evidence.helpers import decision


@pytest.fixture(autouse=True)
def _sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL drops partitions instead; see test_store_postgres.py")


def _batch_received(source, when: datetime) -> None:
    items = ",".join(json.dumps(decision(occurred_at=when.isoformat().replace("+00:00", "Z"))) for _ in range(2))
    batch = IngestBatch.objects.create(
        id=uuid.uuid4(), source=source, received_at=when, item_count=2, payload=f"[{items}]"
    )
    services.expand_batch(str(batch.id))


def test_sqlite_has_no_partitions(db) -> None:
    assert partitions.existing_partitions() == []
    assert partitions.ensure_partitions() == []


def test_retention_deletes_whole_expired_months_and_the_chain_still_verifies(evidence_source) -> None:
    now = datetime.now(UTC)
    _batch_received(evidence_source, now - timedelta(days=300))
    _batch_received(evidence_source, now - timedelta(days=5))
    result = partitions.apply_retention(days=200, now=now)
    assert result.deleted_rows == 2
    assert Event.objects.filter(source=evidence_source).count() == 2
    assert ChainHead.objects.get(source=evidence_source).first_index == 2
    out = StringIO()
    call_command("verify_evidence", stdout=out)
    assert "ok litellm-prod: 2 events, chain 2..3" in out.getvalue()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.all().delete()


def test_the_maintenance_command_refuses_less_than_183_days(db) -> None:
    with pytest.raises(CommandError, match="183"):
        call_command("evidence_maintenance", "--retention", "--days", "90", stdout=StringIO())
