"""Automated control checks over rollups: each in both outcomes, on events posted through real ingestion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aims.core.exceptions import ServiceError
from aims.governance.choices import NonconformitySource, NonconformityStatus
from aims.governance.models import Nonconformity
from controls.models import ControlCheckResult
from evidence import checks
from tests.evidence.factories import check_world
from tests.evidence.helpers import decision, heartbeat, post

CHECK_OF = {
    "model_allowlist": ("M-MODEL-EGRESS", {"CTL-ALLOW", "CTL-USE"}),
    "redaction_coverage": ("M-RED-COV", {"CTL-RED"}),
    "log_continuity": ("M-LOG-CONT", {"CTL-LOG"}),
    "policy_currency": ("M-POL-VER", {"CTL-POL"}),
    "fail_open": ("M-RED-BYPASS", {"CTL-USE"}),
}


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.fixture
def world(officer, committee, evidence_source):
    return check_world(officer.user, committee.user)


@pytest.fixture
def period() -> tuple[datetime, datetime]:
    """The last whole UTC hour: checked from the hourly rollups."""
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return end - timedelta(hours=1), end


def _good(world, **overrides) -> dict:
    event = decision(
        use_case="support-chat",
        decision="redact",
        model={"requested": "gpt-4o-mini", "used": "gpt-4o-mini", "provider": "openai", "region": "eu"},
        policy={"bundle": world.bundle.name, "revision": world.bundle.revision, "rule_ids": ["R-MODEL", "R-PII"]},
        reasons=[{"code": "pii_redacted", "rule_id": "R-PII"}],
    )
    event.update(overrides)
    return event


def _traffic(ingestion, world, period, extra: list[dict], *, silence: tuple[int, int] | None = None) -> None:
    """One node heartbeating every 4 minutes from before the period until now, with 20 sound decisions in the
    period (support-chat redacted on gpt-4o-mini, code-assist allowed on gpt-4o) plus `extra` decisions."""
    start, _ = period
    now = datetime.now(UTC) - timedelta(seconds=2)
    decisions = [_good(world) for _ in range(10)]
    decisions += [
        _good(
            world,
            use_case="code-assist",
            decision="allow",
            model={"requested": "gpt-4o", "used": "gpt-4o", "provider": "openai", "region": "eu"},
            redaction={"executed": False, "engine": "e", "counts": {}},
            reasons=[],
        )
        for _ in range(10)
    ]
    decisions += extra
    timeline = []
    moment = start - timedelta(minutes=4)
    while moment < now:
        timeline.append((moment, heartbeat()))
        moment += timedelta(minutes=4)
    for n, event in enumerate(decisions):
        timeline.append((start + timedelta(minutes=1 + n * 50 / len(decisions)), event))
    events = []
    seq = 0
    for moment, event in sorted(timeline, key=lambda item: item[0]):
        minute = (moment - start).total_seconds() / 60
        if silence and silence[0] <= minute < silence[1]:
            continue
        seq += 1
        events.append({**event, "occurred_at": _z(moment), "producer_seq": seq, "node_id": "gw-1"})
    response = post(ingestion.api(), events)
    assert response.status_code == 202
    assert response.json()["accepted"] == len(events)


def _outcomes(results) -> dict[tuple[str, str], tuple[str, Decimal]]:
    return {(r.source.removeprefix("automated:"), r.implementation.code): (r.outcome, r.value) for r in results}


def test_sound_traffic_passes_every_check_for_every_control_it_evidences(ingestion, world, period) -> None:
    _traffic(ingestion, world, period, [])
    outcomes = _outcomes(checks.run_checks(*period))
    expected = {(name, code) for name, (_, codes) in CHECK_OF.items() for code in codes}
    assert set(outcomes) == expected
    assert {outcome for outcome, _ in outcomes.values()} == {"pass"}
    assert outcomes[("redaction_coverage", "CTL-RED")][1] == 100
    assert outcomes[("policy_currency", "CTL-POL")][1] == 100
    result = ControlCheckResult.objects.get(implementation__code="CTL-LOG")
    assert (result.metric, result.target, result.period_start, result.period_end) == ("M-LOG-CONT", "= 0", *period)
    assert not Nonconformity.objects.exists()


BAD = {
    # An unapproved model let through (a block of the same model is the control working, so not counted).
    "model_allowlist": (
        lambda w: [
            _good(w, decision="allow", model={"requested": "gpt-4o", "used": "gpt-4o"}, reasons=[]),
        ],
        lambda w: [_good(w, decision="block", model={"requested": "gpt-4o", "used": None})],
        Decimal(1),
    ),
    # Redaction skipped on a use case that requires it (skipping it where none is required is fine).
    "redaction_coverage": (
        lambda w: [_good(w, decision="allow", redaction={"executed": False, "engine": "e", "counts": {}})],
        lambda w: [
            _good(w, decision="block", redaction={"executed": False, "engine": "e", "counts": {}}),
            _good(
                w,
                use_case="code-assist",
                decision="allow",
                model={"requested": "gpt-4o"},
                redaction={"executed": False, "engine": "e", "counts": {}},
            ),
        ],
        Decimal("90.9090"),
    ),
    # Decisions under a revision that was never the approved one (1 in 21 is within the 95% target).
    "policy_currency": (
        lambda w: [_good(w, policy={"bundle": "x", "revision": "cd" * 32, "rule_ids": []}) for _ in range(2)],
        lambda w: [_good(w, policy={"bundle": "x", "revision": "cd" * 32, "rule_ids": []})],
        Decimal("90.9090"),
    ),
    # The engine failed and the gateway let the request through (failing closed is the control working).
    "fail_open": (
        lambda w: [
            _good(w, use_case="code-assist", decision="error", fail_mode="open", model={"requested": "gpt-4o"})
        ],
        lambda w: [
            _good(w, use_case="code-assist", decision="error", fail_mode="closed", model={"requested": "gpt-4o"})
        ],
        Decimal(1),
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_check_fails_on_its_own_departure(name, ingestion, world, period) -> None:
    bad, _, value = BAD[name]
    metric, codes = CHECK_OF[name]
    _traffic(ingestion, world, period, bad(world))
    outcomes = _outcomes(checks.run_checks(*period))
    failing = {key for key, (outcome, _) in outcomes.items() if outcome == "fail"}
    assert failing == {(name, code) for code in codes}
    assert {outcomes[(name, code)][1] for code in codes} == {value}
    assert ControlCheckResult.objects.filter(metric=metric, outcome="fail").count() == len(codes)


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_check_passes_on_the_lookalike(name, ingestion, world, period) -> None:
    _, lookalike, _ = BAD[name]
    _traffic(ingestion, world, period, lookalike(world))
    outcomes = _outcomes(checks.run_checks(*period))
    assert {outcome for outcome, _ in outcomes.values()} == {"pass"}


def test_a_silent_gateway_fails_continuity(ingestion, world, period) -> None:
    _traffic(ingestion, world, period, [], silence=(20, 35))
    outcomes = _outcomes(checks.run_checks(*period))
    failing = {key for key, (outcome, _) in outcomes.items() if outcome == "fail"}
    assert failing == {("log_continuity", "CTL-LOG")}
    assert outcomes[("log_continuity", "CTL-LOG")][1] == 1


def test_a_producer_seq_hole_fails_continuity(ingestion, world, period) -> None:
    start, _ = period
    _traffic(ingestion, world, period, [])
    post(ingestion.api(), [heartbeat(seq=10_000, occurred_at=_z(datetime.now(UTC)))])
    assert _outcomes(checks.run_checks(*period))[("log_continuity", "CTL-LOG")] == ("pass", 0)  # after the period
    post(
        ingestion.api(),
        [heartbeat(seq=20_000, node_id="gw-1", occurred_at=_z(start + timedelta(minutes=30)))],
    )
    assert _outcomes(checks.run_checks(*period))[("log_continuity", "CTL-LOG")][0] == "fail"


def test_a_failing_check_raises_one_open_nonconformity_per_check_and_control(ingestion, world, period) -> None:
    bad, _, _ = BAD["fail_open"]
    _traffic(ingestion, world, period, bad(world))
    checks.run_checks(*period)
    nonconformity = Nonconformity.objects.get()
    assert nonconformity.source == NonconformitySource.CONTROL
    assert nonconformity.control_reference == "CTL-USE"
    assert nonconformity.owner == world.implementations["CTL-USE"].owner
    assert "fail_open" in nonconformity.title and "M-RED-BYPASS" in nonconformity.description
    assert nonconformity.history.get().history_change_reason == "Raised by automated check fail_open"
    # Failing again (another day, or a changed value) adds a result, not a second nonconformity.
    post(ingestion.api(), [{**bad(world)[0], "occurred_at": _z(period[0] + timedelta(minutes=59))}])
    results = checks.run_checks(*period)
    assert ControlCheckResult.objects.filter(source="automated:fail_open", outcome="fail").count() == 2
    assert _outcomes(results)[("fail_open", "CTL-USE")] == ("fail", Decimal(2))
    assert Nonconformity.objects.count() == 1
    # Once that one is closed, the next failure opens a new one.
    Nonconformity.objects.update(
        status=NonconformityStatus.CLOSED,
        closed_by=world.implementations["CTL-USE"].owner,
        closed_at=datetime.now(UTC),
    )
    post(ingestion.api(), [{**bad(world)[0], "occurred_at": _z(period[0] + timedelta(minutes=58))}])
    checks.run_checks(*period)
    assert Nonconformity.objects.exclude(status=NonconformityStatus.CLOSED).count() == 1


def test_running_the_checks_again_records_nothing_new(ingestion, world, period) -> None:
    _traffic(ingestion, world, period, BAD["fail_open"][0](world))
    first = checks.run_checks(*period)
    again = checks.run_checks(*period)
    assert [r.pk for r in again] == [r.pk for r in first]
    assert ControlCheckResult.objects.count() == len(first)


def test_whole_days_read_the_day_rollups(ingestion, world) -> None:
    yesterday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    events = [
        heartbeat(seq=n, occurred_at=_z(yesterday + timedelta(hours=12, minutes=4 * n)), node_id="gw-9")
        for n in range(1, 4)
    ]
    events.append(_good(world, decision="allow", fail_mode="open", occurred_at=_z(yesterday + timedelta(hours=12))))
    events[-1].update(decision="error", use_case="code-assist", model={"requested": "gpt-4o"}, node_id="gw-9")
    events[-1]["producer_seq"] = 4
    post(ingestion.api(), events)
    out = StringIO()
    call_command("run_control_checks", "--date", f"{yesterday:%Y-%m-%d}", "--check", "fail_open", stdout=out)
    assert out.getvalue().strip() == f"checked {yesterday:%Y-%m-%d} to {yesterday:%Y-%m-%d}: 0 pass, 1 fail"
    result = ControlCheckResult.objects.get()
    assert (result.period_start, result.period_end - result.period_start) == (yesterday, timedelta(days=1))


def test_the_daily_task_checks_the_previous_utc_day(world) -> None:
    assert checks.run_control_checks.name == "evidence.tasks.run_control_checks"
    assert checks.run_control_checks.delay().get() == 6  # six (check, control) pairs, vacuously passing
    yesterday = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=1)
    assert set(ControlCheckResult.objects.values_list("period_start", "outcome")) == {(yesterday, "pass")}


def test_bad_periods_are_refused(db) -> None:
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with pytest.raises(ServiceError, match="end after"):
        checks.run_checks(now, now)
    with pytest.raises(ServiceError, match="whole UTC hours"):
        checks.run_checks(now, now + timedelta(minutes=30))
    with pytest.raises(ServiceError, match="time zones"):
        checks.run_checks(now.replace(tzinfo=None), now.replace(tzinfo=None) + timedelta(hours=1))
    with pytest.raises(ServiceError, match="7 days"):
        checks.run_checks(now - timedelta(days=9), now - timedelta(days=8, hours=23))
    with pytest.raises(ServiceError, match="Unknown checks"):
        checks.run_checks(now - timedelta(hours=1), now, checks=["nope"])
    with pytest.raises(CommandError, match="go together"):
        call_command("run_control_checks", "--from", "2026-01-01", stdout=StringIO())
