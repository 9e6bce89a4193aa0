"""Signed daily checkpoints: which days are signed and when, what they hold, the key record, and verification
catching tampering with events or checkpoints (DESIGN.md, Checkpoints, Keys, Append-only store)."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import rfc8785
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from evidence import chain, checkpoint_format, checkpoints, merkle, signing
from evidence.models import ChainHead, Checkpoint, Event, SigningKey
from tests.evidence.checkpoint_helpers import (
    at,
    days_ago,
    ingest_on,
    key_file,  # noqa: F401  autouse: a fresh signing key, no sinks
    tamper,
)


def by_day(source) -> dict:
    return {c.day: c for c in Checkpoint.objects.filter(source=source)}


def verify_command() -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("verify_evidence", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_each_past_day_gets_one_signed_checkpoint_of_its_events(evidence_source) -> None:
    ingest_on(evidence_source, at(days_ago(3), 9))
    ingest_on(evidence_source, at(days_ago(3), 15))
    ingest_on(evidence_source, at(days_ago(1), 8))

    signed = checkpoints.sign_due_checkpoints()

    assert [c.day for c in signed] == [days_ago(3), days_ago(2), days_ago(1)]
    first = by_day(evidence_source)[days_ago(3)]
    hashes = list(
        Event.objects.filter(source=evidence_source, chain_index__lte=3)
        .order_by("chain_index")
        .values_list("event_hash", flat=True)
    )
    assert (first.count, first.first_index, first.last_index) == (4, 0, 3)
    assert first.merkle_root == merkle.merkle_root_reference([bytes.fromhex(h) for h in hashes]).hex()
    body = json.loads(first.body)
    assert rfc8785.dumps(body) == first.body.encode()
    assert body == {
        "source": "litellm-prod",
        "day": days_ago(3).isoformat(),
        "count": 4,
        "first_index": 0,
        "last_index": 3,
        "merkle_root": first.merkle_root,
        "prev_signature": None,
        "key_id": first.key_id,
    }
    public = checkpoints.current_key().public_raw
    assert signing.verify(public, first.body.encode(), first.signature)
    rebuilt = checkpoint_format.CheckpointBody(**{**body, "day": first.day})
    assert checkpoint_format.verify(rebuilt, first.signature, public)


def test_an_empty_day_gets_a_checkpoint_of_count_zero(evidence_source) -> None:
    ingest_on(evidence_source, at(days_ago(3)))
    ingest_on(evidence_source, at(days_ago(1)))

    checkpoints.sign_due_checkpoints()

    empty = by_day(evidence_source)[days_ago(2)]
    assert (empty.count, empty.first_index, empty.last_index) == (0, None, None)
    assert empty.merkle_root == merkle.EMPTY_ROOT.hex()
    assert checkpoints.verify_checkpoints(evidence_source).ok


def test_today_is_never_signed(evidence_source) -> None:
    ingest_on(evidence_source, at(days_ago(1)))
    ingest_on(evidence_source, datetime.now(UTC) - timedelta(seconds=30))

    checkpoints.sign_due_checkpoints(until=datetime.now(UTC).date())

    assert max(by_day(evidence_source)) <= days_ago(1)
    assert datetime.now(UTC).date() not in by_day(evidence_source)


def test_a_pending_batch_delays_its_day_and_every_day_after_it(evidence_source) -> None:
    from evidence import services

    ingest_on(evidence_source, at(days_ago(4)))
    waiting = ingest_on(evidence_source, at(days_ago(3)), expand=False)
    ingest_on(evidence_source, at(days_ago(2)))

    assert [c.day for c in checkpoints.sign_due_checkpoints()] == [days_ago(4)]

    services.expand_batch(waiting)
    signed = checkpoints.sign_due_checkpoints()

    assert [c.day for c in signed] == [days_ago(3), days_ago(2), days_ago(1)]
    assert by_day(evidence_source)[days_ago(3)].count == 2
    assert checkpoints.verify_checkpoints(evidence_source).ok


def test_prev_signature_chains_each_checkpoint_to_the_one_before(evidence_source) -> None:
    ingest_on(evidence_source, at(days_ago(4)))
    checkpoints.sign_due_checkpoints(until=days_ago(3))
    ingest_on(evidence_source, datetime.now(UTC) - timedelta(seconds=10))

    later = checkpoints.sign_due_checkpoints()

    rows = list(Checkpoint.objects.filter(source=evidence_source).order_by("day"))
    assert [c.day for c in rows] == [days_ago(n) for n in (4, 3, 2, 1)]
    assert [c.day for c in later] == [days_ago(2), days_ago(1)]
    assert rows[0].prev_signature is None
    for before, after in itertools.pairwise(rows):
        assert after.prev_signature == before.signature
        assert json.loads(after.body)["prev_signature"] == before.signature
    assert checkpoints.sign_due_checkpoints() == []


def test_a_source_without_events_is_signed_from_its_creation_day(evidence_source) -> None:
    type(evidence_source).objects.filter(pk=evidence_source.pk).update(created_at=at(days_ago(2), 7))

    checkpoints.sign_due_checkpoints()

    assert sorted(by_day(evidence_source)) == [days_ago(2), days_ago(1)]
    assert all(c.count == 0 for c in by_day(evidence_source).values())


def test_checkpoints_refuse_update_and_delete_in_the_database(evidence_source) -> None:
    ingest_on(evidence_source, at(days_ago(1)))
    checkpoints.sign_due_checkpoints()
    checkpoint = Checkpoint.objects.get(source=evidence_source)

    with pytest.raises(DatabaseError), transaction.atomic():
        Checkpoint.objects.filter(pk=checkpoint.pk).update(count=99)
    with pytest.raises(DatabaseError), transaction.atomic():
        Checkpoint.objects.filter(pk=checkpoint.pk).delete()
    assert Checkpoint.objects.get(pk=checkpoint.pk).count == 2


def test_the_signing_key_is_recorded_with_its_id_and_fingerprint(evidence_source) -> None:
    row = checkpoints.ensure_key_record()
    key = checkpoints.current_key()

    assert (row.key_id, row.fingerprint, row.algorithm) == (key.key_id, key.fingerprint, "Ed25519")
    assert row.fingerprint.startswith("SHA256:") and len(row.fingerprint) == 71
    assert base64.b64decode(row.public_key) == key.public_raw
    assert row.retired_at is None
    assert checkpoints.ensure_key_record() == row
    assert SigningKey.objects.count() == 1
    assert checkpoints.current_fingerprint() == key.fingerprint


def test_a_rotated_key_is_recorded_and_the_chain_continues_across_it(evidence_source, settings, tmp_path) -> None:
    ingest_on(evidence_source, at(days_ago(3)))
    checkpoints.sign_due_checkpoints(until=days_ago(3))
    old = SigningKey.objects.get()

    new_path = tmp_path / "rotated.pem"
    signing.save(signing.generate(), new_path)
    settings.AIMS_SIGNING_KEY_FILE = str(new_path)
    later = checkpoints.sign_due_checkpoints()

    old.refresh_from_db()
    new = SigningKey.objects.get(retired_at__isnull=True)
    assert old.retired_at is not None and new.pk != old.pk
    assert new.fingerprint == checkpoints.current_fingerprint()
    assert {c.key_id for c in later} == {new.key_id}
    assert later[0].prev_signature == Checkpoint.objects.get(day=days_ago(3)).signature
    rotation = AuditEvent.objects.filter(kind=AuditKind.CONFIG_CHANGE, summary__contains="rotated").get()
    assert rotation.details["previous_key_id"] == old.key_id
    assert rotation.details["key_id"] == new.key_id
    assert checkpoints.verify_checkpoints(evidence_source).ok


def test_a_local_key_is_created_under_var_when_none_is_configured(settings, tmp_path) -> None:
    settings.AIMS_SIGNING_KEY_FILE = ""
    settings.VAR_DIR = tmp_path / "var"

    first = checkpoints.current_key()

    assert (tmp_path / "var" / "signing-key.pem").exists()
    assert checkpoints.current_key().fingerprint == first.fingerprint


def test_the_sign_checkpoints_command_and_task_sign_due_days(evidence_source) -> None:
    from evidence import tasks

    ingest_on(evidence_source, at(days_ago(2)))
    out = StringIO()
    call_command("sign_checkpoints", "--until", days_ago(2).isoformat(), stdout=out)
    assert "checkpoints_signed: 1" in out.getvalue()
    assert checkpoints.current_fingerprint() in out.getvalue()
    assert tasks.sign_checkpoints() == 1
    assert tasks.sign_checkpoints() == 0


@pytest.fixture
def signed_week(evidence_source):
    for n in (5, 4, 2, 1):
        ingest_on(evidence_source, at(days_ago(n), 10))
        ingest_on(evidence_source, at(days_ago(n), 14))
    checkpoints.sign_due_checkpoints()
    return evidence_source


def test_verify_evidence_passes_an_untouched_store_with_its_checkpoints(signed_week) -> None:
    ok, out = verify_command()
    assert ok, out
    assert f"ok litellm-prod: 5 checkpoints, days {days_ago(5)}..{days_ago(1)}" in out


def test_a_consistently_rehashed_chain_is_caught_by_the_checkpoints(signed_week) -> None:
    """A database owner who edits an event and rewrites every later hash passes the chain check; the signed
    Merkle root of that day is what gives the rewrite away."""
    target = Event.objects.get(source=signed_week, chain_index=5)
    envelope = json.loads(target.canonical)
    envelope["event"]["decision"] = "allow"
    prev = bytes.fromhex(Event.objects.get(source=signed_week, chain_index=4).event_hash)
    rows = list(Event.objects.filter(source=signed_week, chain_index__gte=5).order_by("chain_index"))
    for event in rows:
        canonical = rfc8785.dumps(envelope) if event.pk == target.pk else event.canonical.encode()
        leaf = chain.leaf_hash(canonical)
        prev = chain.next_hash(prev, leaf)
        tamper(
            "evidence_event",
            "UPDATE evidence_event SET canonical = %s, leaf_hash = %s, event_hash = %s WHERE id = %s",
            [canonical.decode(), leaf.hex(), prev.hex(), event.pk],
        )
    ChainHead.objects.filter(source=signed_week).update(last_hash=prev.hex())

    ok, out = verify_command()

    assert not ok
    assert "ok litellm-prod: 16 events" in out  # the chain alone no longer shows it
    assert f"FAIL litellm-prod: checkpoint {days_ago(4)}: the Merkle root recomputed" in out


def test_an_event_edited_in_place_fails_verification(signed_week) -> None:
    tamper("evidence_event", "UPDATE evidence_event SET event_hash = %s WHERE chain_index = 2", ["ab" * 32])

    report = checkpoints.verify_checkpoints(signed_week)
    ok, out = verify_command()

    assert not report.ok and "Merkle root" in report.problems[0]
    assert not ok and "chain index 2" in out


def test_a_deleted_event_fails_the_count_and_range_of_its_checkpoint(signed_week) -> None:
    tamper("evidence_event", "DELETE FROM evidence_event WHERE chain_index = 15")

    problems = checkpoints.verify_checkpoints(signed_week).problems

    assert any("covers 4 events but 3 are stored" in p for p in problems)
    assert any("covers chain 12..15" in p for p in problems)


def test_an_edited_checkpoint_row_fails_its_signature_or_body(signed_week) -> None:
    tamper("evidence_checkpoint", "UPDATE evidence_checkpoint SET count = 7 WHERE day = %s", [days_ago(4)])
    problems = checkpoints.verify_checkpoints(signed_week).problems
    assert any("row's count differs from the signed body" in p for p in problems)

    forged = Checkpoint.objects.get(day=days_ago(2))
    body = json.loads(forged.body)
    body["merkle_root"] = "00" * 32
    tamper(
        "evidence_checkpoint",
        "UPDATE evidence_checkpoint SET body = %s, merkle_root = %s WHERE id = %s",
        [rfc8785.dumps(body).decode(), "00" * 32, forged.pk],
    )
    problems = checkpoints.verify_checkpoints(signed_week).problems
    assert any(f"checkpoint {days_ago(2)}: the signature does not verify" in p for p in problems)
    ok, out = verify_command()
    assert not ok and "signature does not verify" in out


def test_a_deleted_checkpoint_shows_as_a_missing_day_and_a_broken_chain(signed_week) -> None:
    tamper("evidence_checkpoint", "DELETE FROM evidence_checkpoint WHERE day = %s", [days_ago(3)])

    problems = checkpoints.verify_checkpoints(signed_week).problems

    assert f"checkpoint {days_ago(2)}: 1 day(s) missing since {days_ago(4)}" in problems
    assert f"checkpoint {days_ago(2)}: prev_signature does not chain to the previous checkpoint" in problems


def test_a_checkpoint_signed_by_an_unrecorded_key_fails(signed_week) -> None:
    stranger = signing.generate()
    report = checkpoints.verify_checkpoints(signed_week, {stranger.key_id: stranger.public_raw})
    assert not report.ok
    assert all("unknown key" in p for p in report.problems[:5])


def test_returning_to_an_earlier_key_reactivates_its_record(db, settings, tmp_path, key_file) -> None:  # noqa: F811
    first = checkpoints.ensure_key_record()
    other = tmp_path / "other.pem"
    signing.save(signing.generate(), other)
    settings.AIMS_SIGNING_KEY_FILE = str(other)
    second = checkpoints.ensure_key_record()
    settings.AIMS_SIGNING_KEY_FILE = str(key_file)

    again = checkpoints.ensure_key_record()

    second.refresh_from_db()
    assert again.pk == first.pk and again.retired_at is None
    assert second.retired_at is not None
    assert "Reactivated" in again.note
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
    assert AuditEvent.objects.filter(kind=AuditKind.CONFIG_CHANGE, summary__contains="rotated").count() == 2


def test_signing_queues_a_push_per_configured_sink(evidence_source, settings, tmp_path) -> None:
    from evidence.models import CheckpointPush, PushStatus

    settings.AIMS_CHECKPOINT_SINK_DIR = str(tmp_path / "sink")
    settings.AIMS_CHECKPOINT_SINK_URL = "http://127.0.0.1:9/hook"
    ingest_on(evidence_source, at(days_ago(1)))

    checkpoint = checkpoints.sign_due_checkpoints()[-1]

    pushes = CheckpointPush.objects.filter(checkpoint=checkpoint)
    assert sorted(pushes.values_list("sink", "status")) == [
        ("directory", PushStatus.PENDING),
        ("webhook", PushStatus.PENDING),
    ]
