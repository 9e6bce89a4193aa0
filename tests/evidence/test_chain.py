"""The hash chain, recomputed independently, and verify_evidence catching every kind of tampering.

Tampering is done as a database owner would: with raw SQL behind the application's back, lifting the
append-only triggers first (on PostgreSQL `ALTER TABLE ... DISABLE TRIGGER USER`, on SQLite by dropping them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
import rfc8785
from django.core.management import CommandError, call_command
from django.db import IntegrityError, ProgrammingError, connection, transaction

from evidence import services
from evidence.models import ChainHead, Event
from tests.evidence.helpers import decision, heartbeat, post

SQLITE_TRIGGERS = {
    "evidence_event_no_update": "BEFORE UPDATE",
    "evidence_event_no_delete": "BEFORE DELETE",
}


@contextmanager
def owner_access() -> Iterator[None]:
    """What a database owner can do: switch off the application's append-only triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE evidence_event DISABLE TRIGGER USER")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE evidence_event ENABLE TRIGGER USER")
            else:
                for name, when in SQLITE_TRIGGERS.items():
                    cursor.execute(
                        f"CREATE TRIGGER {name} {when} ON evidence_event "
                        "BEGIN SELECT RAISE(ABORT, 'evidence rows in evidence_event are append-only'); END"
                    )


def sql(statement: str, params: list | None = None) -> None:
    with owner_access(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def chain_of_five(ingestion, evidence_source):
    post(ingestion.api(), [decision(producer_seq=i) for i in range(1, 4)])
    post(ingestion.api(), [decision(producer_seq=4), heartbeat(seq=5)])
    return evidence_source


def verify(source: str | None = None) -> str:
    out = StringIO()
    args = ["--source", source] if source else []
    call_command("verify_evidence", *args, stdout=out)
    return out.getvalue()


def test_each_event_hash_follows_the_contract(chain_of_five) -> None:
    prev = bytes(32)
    for event in Event.objects.filter(source=chain_of_five).order_by("chain_index"):
        envelope = json.loads(event.canonical)
        assert set(envelope) == {"source", "chain_index", "received_at", "event"}
        assert envelope["source"] == "litellm-prod"
        assert envelope["chain_index"] == event.chain_index
        assert envelope["received_at"].endswith("Z") and len(envelope["received_at"]) == 27
        assert rfc8785.dumps(envelope) == event.canonical.encode()
        leaf = hashlib.sha256(event.canonical.encode()).digest()
        prev = hashlib.sha256(prev + leaf).digest()
        assert (event.leaf_hash, event.event_hash) == (leaf.hex(), prev.hex())
    head = ChainHead.objects.get(source=chain_of_five)
    assert (head.last_index, head.last_hash) == (4, prev.hex())


def test_an_intact_chain_verifies(chain_of_five) -> None:
    assert "ok litellm-prod: 5 events, chain 0..4" in verify()


def test_a_stretch_of_days_verifies(chain_of_five) -> None:
    from datetime import UTC, datetime

    today = datetime.now(UTC).date().isoformat()
    out = StringIO()
    call_command("verify_evidence", "--from", today, "--to", today, stdout=out)
    assert "ok litellm-prod: 5 events" in out.getvalue()


TAMPERING: dict[str, tuple[Callable[[int], None], int]] = {
    "modified content": (
        lambda src: sql(
            "UPDATE evidence_event SET canonical = REPLACE(canonical, '\"redact\"', '\"allow\"') "
            "WHERE source_id = %s AND chain_index = 2",
            [src],
        ),
        2,
    ),
    "modified content with a recomputed leaf": (
        lambda src: _rewrite_with_leaf(src, 1),
        1,
    ),
    "deleted in the middle": (
        lambda src: sql("DELETE FROM evidence_event WHERE source_id = %s AND chain_index = 2", [src]),
        2,
    ),
    "deleted at the start": (
        lambda src: sql("DELETE FROM evidence_event WHERE source_id = %s AND chain_index = 0", [src]),
        0,
    ),
    "deleted at the end": (
        lambda src: sql("DELETE FROM evidence_event WHERE source_id = %s AND chain_index = 4", [src]),
        4,
    ),
    "reordered": (
        lambda src: _swap(src, 1, 3),
        1,
    ),
    "inserted in the middle": (
        lambda src: _copy_as(src, source_index=1, new_index=2),
        2,
    ),
    "appended past the head": (
        lambda src: _copy_as(src, source_index=1, new_index=5),
        5,
    ),
    "hash rewritten": (
        lambda src: sql(
            "UPDATE evidence_event SET event_hash = %s WHERE source_id = %s AND chain_index = 3", ["00" * 32, src]
        ),
        3,
    ),
}


def _rewrite_with_leaf(source_id: int, index: int) -> None:
    # A careful forger changes the decision and recomputes the leaf; the next link no longer follows.
    event = Event.objects.get(source_id=source_id, chain_index=index)
    canonical = event.canonical.replace('"redact"', '"allow"')
    leaf = hashlib.sha256(canonical.encode()).hexdigest()
    sql(
        "UPDATE evidence_event SET canonical = %s, leaf_hash = %s WHERE source_id = %s AND chain_index = %s",
        [canonical, leaf, source_id, index],
    )


def _swap(source_id: int, a: int, b: int) -> None:
    sql("UPDATE evidence_event SET chain_index = -1 WHERE source_id = %s AND chain_index = %s", [source_id, a])
    sql("UPDATE evidence_event SET chain_index = %s WHERE source_id = %s AND chain_index = %s", [a, source_id, b])
    sql("UPDATE evidence_event SET chain_index = %s WHERE source_id = %s AND chain_index = -1", [b, source_id])


def _copy_as(source_id: int, *, source_index: int, new_index: int) -> None:
    event = Event.objects.get(source_id=source_id, chain_index=source_index)
    columns = [f.column for f in Event._meta.concrete_fields if f.column != "id"]
    placeholders = ", ".join(["%s"] * len(columns))
    values = []
    for field in Event._meta.concrete_fields:
        if field.column == "id":
            continue
        value = field.get_db_prep_value(getattr(event, field.attname), connection)
        values.append(new_index if field.column == "chain_index" else value)
    sql(f"INSERT INTO evidence_event ({', '.join(columns)}) VALUES ({placeholders})", values)


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_verify_evidence_names_the_first_bad_index(chain_of_five, kind: str) -> None:
    tamper, bad_index = TAMPERING[kind]
    tamper(chain_of_five.pk)
    with pytest.raises(CommandError) as failure:
        verify()
    assert f"chain index {bad_index}" in str(failure.value), str(failure.value)


def test_verification_checks_each_source_on_its_own(chain_of_five, officer) -> None:
    other = services.create_source(user=officer.user, name="second-gw", owner=officer.user, check_permission=False)
    assert "ok second-gw: 0 events" in verify("second-gw")
    sql("DELETE FROM evidence_event WHERE source_id = %s AND chain_index = 1", [chain_of_five.pk])
    assert "ok second-gw" in verify("second-gw")
    assert other.pk != chain_of_five.pk


def test_an_unknown_source_or_bad_date_is_a_clear_error(db) -> None:
    with pytest.raises(CommandError, match="No evidence source"):
        verify("nope")
    with pytest.raises(CommandError, match="not a date"):
        call_command("verify_evidence", "--from", "yesterday", stdout=StringIO())


def test_the_application_cannot_update_or_delete_events(chain_of_five) -> None:
    event = Event.objects.filter(source=chain_of_five).first()
    for action in (
        lambda: Event.objects.filter(pk=event.pk).update(decision="allow"),
        lambda: Event.objects.filter(pk=event.pk).delete(),
    ):
        # SQLite's RAISE(ABORT) surfaces as IntegrityError; PostgreSQL's insufficient_privilege as ProgrammingError.
        with pytest.raises((IntegrityError, ProgrammingError), match="append-only"), transaction.atomic():
            action()
    assert Event.objects.filter(source=chain_of_five).count() == 5


def test_expanding_a_batch_twice_writes_it_once(ingestion, evidence_source) -> None:
    body = post(ingestion.api(), [decision(), decision()]).json()
    assert services.expand_batch(body["batch_id"]) == 0
    assert Event.objects.filter(source=evidence_source).count() == 2
    assert ChainHead.objects.get(source=evidence_source).last_index == 1
