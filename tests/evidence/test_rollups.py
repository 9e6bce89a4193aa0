"""Rollups kept by expansion: what they count, exactly once, gaps of nodes, rebuild and pruning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase

from evidence import rollups, services
from evidence.models import NodeGap, Rollup, RuleRollup
from evidence.models.rollups import LATENCY_BOUNDS_MS
from tests.evidence.helpers import decision, heartbeat, post


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _day(moment: datetime) -> datetime:
    return _hour(moment).replace(hour=0)


def _send(ingestion, events: list[dict]) -> str:
    response = post(ingestion.api(), events)
    assert response.status_code == 202, response.content
    assert response.json()["accepted"] == len(events)
    return response.json()["batch_id"]


def _snapshot() -> dict[str, list[tuple]]:
    rollup_fields = [f.name for f in Rollup._meta.fields if f.name != "id"]
    rule_fields = [f.name for f in RuleRollup._meta.fields if f.name != "id"]
    gap_fields = [f.name for f in NodeGap._meta.fields if f.name not in ("id", "detected_at")]

    def rows(model, names):
        return sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*names))

    return {
        "rollups": rows(Rollup, rollup_fields),
        "rules": rows(RuleRollup, rule_fields),
        "gaps": rows(NodeGap, gap_fields),
    }


@pytest.fixture
def moment():
    """A quarter past the last whole hour, so that events a few minutes apart share an hour."""
    now = datetime.now(UTC)
    return _hour(now) - timedelta(hours=1) + timedelta(minutes=15)


def test_a_batch_is_counted_per_use_case_model_decision_and_revision(ingestion, moment) -> None:
    at = _z(moment)
    events = [
        decision(
            occurred_at=at,
            producer_seq=1,
            redaction={"executed": True, "engine": "e", "counts": {"EMAIL_ADDRESS": 2, "PERSON": 1}},
            metrics={"latency_ms": 3.2, "prompt_tokens": 100, "completion_tokens": 50, "cost": "0.0004205"},
        ),
        decision(
            occurred_at=at,
            producer_seq=2,
            redaction={"executed": True, "engine": "e", "counts": {"EMAIL_ADDRESS": 1}},
            metrics={"latency_ms": 7, "prompt_tokens": 10, "completion_tokens": 5, "cost": "0.000100"},
        ),
        decision(
            occurred_at=at,
            producer_seq=3,
            decision="block",
            reasons=[{"code": "model_not_allowed", "rule_id": "R-MODEL"}],
            redaction={"executed": False, "engine": "e", "counts": {}},
            metrics={"latency_ms": 20000, "prompt_tokens": 10, "completion_tokens": 0, "cost": "0"},
        ),
        heartbeat(seq=4, occurred_at=at),
    ]
    _send(ingestion, events)

    day = Rollup.objects.get(granularity="day", decision="redact")
    assert day.bucket == _day(moment)
    assert (day.source.name, day.use_case, day.model, day.revision) == (
        "litellm-prod",
        "support-chat",
        "gpt-4o-mini",
        "ab" * 32,
    )
    assert (day.events, day.redaction_executed, day.fail_open) == (2, 2, 0)
    assert (day.prompt_tokens, day.completion_tokens) == (110, 55)
    assert day.cost == Decimal("0.000520")  # 0.0004205 rounds half-even to 0.000420, plus 0.000100
    assert (day.latency_sum_ms, day.latency_count) == (10.2, 2)
    expected = [0] * (len(LATENCY_BOUNDS_MS) + 1)
    expected[0] += 1  # 3.2 ms <= 5
    expected[1] += 1  # 7 ms <= 10
    assert day.latency_histogram == expected
    assert day.redactions == {"EMAIL_ADDRESS": 3, "PERSON": 1}
    hour = Rollup.objects.get(granularity="hour", decision="redact")
    assert hour.bucket == _hour(moment)
    assert hour.events == 2
    blocked = Rollup.objects.get(granularity="day", decision="block")
    assert blocked.latency_histogram[-1] == 1  # above the last bound
    assert Rollup.objects.filter(granularity="day").count() == 2  # heartbeats are not decisions
    rules = {(r.granularity, r.rule_id, r.decision): r.events for r in RuleRollup.objects.all()}
    assert rules == {
        ("day", "pii.redact", "redact"): 2,
        ("hour", "pii.redact", "redact"): 2,
        ("day", "R-MODEL", "block"): 1,
        ("hour", "R-MODEL", "block"): 1,
    }


def test_later_batches_add_to_the_same_rows(ingestion, moment) -> None:
    _send(ingestion, [decision(occurred_at=_z(moment), producer_seq=1)])
    _send(ingestion, [decision(occurred_at=_z(moment + timedelta(minutes=1)), producer_seq=2)])
    day = Rollup.objects.get(granularity="day")
    assert day.events == 2
    assert day.redactions == {"EMAIL_ADDRESS": 2}
    assert day.cost == Decimal("0.00084")
    assert RuleRollup.objects.get(granularity="day").events == 2


def test_fail_open_means_an_error_let_through(ingestion, moment) -> None:
    at = _z(moment)
    events = [
        decision(occurred_at=at, producer_seq=1, decision="allow", fail_mode="open"),  # a policy setting, no failure
        decision(occurred_at=at, producer_seq=2, decision="error", fail_mode="open", reasons=[{"code": "x"}]),
        decision(occurred_at=at, producer_seq=3, decision="error", fail_mode="closed", reasons=[]),
    ]
    _send(ingestion, events)
    by_decision = {r.decision: r.fail_open for r in Rollup.objects.filter(granularity="day")}
    assert by_decision == {"allow": 0, "error": 1}


def test_a_batch_expanded_twice_or_sent_twice_is_counted_once(ingestion, moment) -> None:
    events = [decision(occurred_at=_z(moment), producer_seq=n) for n in range(1, 4)]
    batch_id = _send(ingestion, events)
    before = _snapshot()
    assert services.expand_batch(batch_id) == 0  # a redelivered task
    again = post(ingestion.api(), events)  # a gateway resending
    assert again.json()["duplicates"] == 3
    assert _snapshot() == before
    assert Rollup.objects.get(granularity="day").events == 3


def test_hourly_rows_are_kept_for_seven_days_only(ingestion) -> None:
    old = datetime.now(UTC) - timedelta(days=9)
    recent = datetime.now(UTC) - timedelta(days=6, hours=20)
    _send(ingestion, [decision(occurred_at=_z(old), producer_seq=1)])
    _send(ingestion, [decision(occurred_at=_z(recent), producer_seq=2)])
    assert set(Rollup.objects.filter(granularity="day").values_list("bucket", flat=True)) == {_day(old), _day(recent)}
    assert list(Rollup.objects.filter(granularity="hour").values_list("bucket", flat=True)) == [_hour(recent)]
    assert rollups.prune_hourly(now=datetime.now(UTC)) == 0
    assert rollups.prune_hourly(now=datetime.now(UTC) + timedelta(days=1)) == 2  # the rollup and its rule row
    assert not Rollup.objects.filter(granularity="hour").exists()
    assert Rollup.objects.filter(granularity="day").count() == 2


def test_a_silence_longer_than_the_heartbeat_is_a_gap(ingestion, evidence_source, moment) -> None:
    assert evidence_source.heartbeat_seconds == 300
    start = moment - timedelta(minutes=40)
    _send(
        ingestion,
        [
            heartbeat(seq=1, occurred_at=_z(start)),
            heartbeat(seq=2, occurred_at=_z(start + timedelta(minutes=5))),  # exactly the heartbeat: no gap
            heartbeat(seq=3, occurred_at=_z(start + timedelta(minutes=16))),  # 11 minutes silent
        ],
    )
    _send(ingestion, [heartbeat(seq=4, occurred_at=_z(start + timedelta(minutes=30)))])  # silent since last batch
    gaps = list(NodeGap.objects.order_by("started_at").values_list("kind", "node_id", "started_at", "seconds"))
    assert gaps == [
        ("silence", "gw-1", start + timedelta(minutes=5), 660.0),
        ("silence", "gw-1", start + timedelta(minutes=16), 840.0),
    ]


def test_a_jump_in_producer_seq_is_a_gap(ingestion, moment) -> None:
    _send(ingestion, [heartbeat(seq=1, occurred_at=_z(moment)), heartbeat(seq=4, occurred_at=_z(moment))])
    _send(ingestion, [heartbeat(seq=5, occurred_at=_z(moment)), heartbeat(seq=9, occurred_at=_z(moment))])
    _send(ingestion, [heartbeat(seq=1, node_id="gw-2", occurred_at=_z(moment))])  # a new node starts anywhere
    missing = list(NodeGap.objects.filter(kind="sequence").order_by("missing").values_list("node_id", "missing"))
    assert missing == [("gw-1", 2), ("gw-1", 3)]


def _mixed_traffic(ingestion) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    seq = 0
    for day in (9, 3, 2, 1):
        base = now - timedelta(days=day)
        events = []
        for n in range(12):
            seq += 1 if n != 5 else 3  # a sequence jump each day
            at = _z(base + timedelta(minutes=n * 7 if n < 8 else n * 30))  # silences late in each batch
            kind = n % 4
            if kind == 3:
                events.append(heartbeat(seq=seq, occurred_at=at))
            else:
                events.append(
                    decision(
                        occurred_at=at,
                        producer_seq=seq,
                        decision=["redact", "allow", "error"][kind],
                        fail_mode="open" if n % 2 else "closed",
                        use_case=["support-chat", "code-assist"][n % 2],
                        model={"requested": ["gpt-4o-mini", "gpt-4o"][n % 2 == 0 and day % 2]},
                        metrics={"latency_ms": n * 1.37, "prompt_tokens": n, "completion_tokens": 2, "cost": "0.1"},
                    )
                )
        _send(ingestion, events[:6])
        _send(ingestion, events[6:])
        _send(ingestion, [heartbeat(seq=1000 + day, node_id=f"gw-{day}", occurred_at=_z(base))])


def test_rebuild_gives_exactly_the_rows_of_live_expansion(ingestion) -> None:
    _mixed_traffic(ingestion)
    live = _snapshot()
    assert live["rollups"] and live["rules"] and live["gaps"]
    out = StringIO()
    call_command("rebuild_rollups", stdout=out)
    assert "litellm-prod: 36 decisions" in out.getvalue()
    assert _snapshot() == live


def test_rebuild_of_a_range_and_source_recomputes_only_it(ingestion) -> None:
    _mixed_traffic(ingestion)
    live = _snapshot()
    day = (datetime.now(UTC) - timedelta(days=2)).date()
    Rollup.objects.filter(bucket__date=day).update(events=0)
    NodeGap.objects.all().delete()
    call_command(
        "rebuild_rollups", "--source", "litellm-prod", "--from", str(day), "--to", str(day), stdout=StringIO()
    )
    after = _snapshot()
    assert after["rollups"] == live["rollups"]
    assert after["gaps"] == sorted(g for g in live["gaps"] if g[3].startswith(str(day)))


def test_rebuild_refuses_a_bad_range(db) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="not be before"):
        call_command("rebuild_rollups", "--from", "2026-01-02", "--to", "2026-01-01", stdout=StringIO())
    with pytest.raises(CommandError, match="Not a date"):
        call_command("rebuild_rollups", "--from", "yesterday", stdout=StringIO())


def test_expansion_without_the_web_request_also_rolls_up(evidence_source, moment) -> None:
    """The simulator and the decide endpoint store batches through services.ingest, not the view."""
    import json

    from evidence import ingest

    raws = [json.dumps(decision(occurred_at=_z(moment), producer_seq=1)).encode()]
    parsed = ingest.validate_items(raws, now=datetime.now(UTC), limits=ingest.Limits())
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.ingest(source=evidence_source, parsed=parsed, received_at=datetime.now(UTC))
    assert Rollup.objects.get(granularity="day").events == 1
