"""The simulator's scenarios make every automated check pass on some days and fail on others."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count
from django.test import TestCase

from aims.governance.models import Nonconformity
from evidence import checks, simulator
from evidence.models import NodeGap
from tests.evidence.factories import check_world
from tests.evidence.test_rollups import _snapshot


@pytest.fixture
def simulated(officer, committee, evidence_source):
    world = check_world(officer.user, committee.user)
    # Half-hourly heartbeats keep the run small; the gateway keeps that promise except when it goes silent.
    evidence_source.heartbeat_seconds = 1800
    evidence_source.save()
    plan = simulator.Plan(
        events=2500,
        days=10,
        end=datetime.now(UTC).replace(minute=0, second=0, microsecond=0),
        sources=[evidence_source],
        use_cases=simulator.register_profiles(),
        revision=world.bundle.revision,
        bundle=world.bundle.name,
        scenario=simulator.Scenario(silent_source=evidence_source.name),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        totals = simulator.run(plan)
    assert totals["rejected"] == 0
    return plan


def test_every_check_passes_somewhere_and_fails_somewhere(simulated) -> None:
    today = simulated.end.date()
    results = checks.run_checks_for_days(today - timedelta(days=9), today - timedelta(days=1))
    outcomes: dict[str, set[str]] = defaultdict(set)
    failing_days: dict[str, set] = defaultdict(set)
    for result in results:
        name = result.source.removeprefix("automated:")
        outcomes[name].add(result.outcome)
        if result.outcome == "fail":
            failing_days[name].add(result.period_start.date())
    assert {name: sorted(found) for name, found in outcomes.items()} == {
        check.name: ["fail", "pass"] for check in checks.CHECKS
    }
    scenario = simulated.scenario
    assert failing_days["model_allowlist"] == {today - timedelta(days=scenario.unapproved_day)}
    assert failing_days["fail_open"] == {today - timedelta(days=scenario.fail_open_day)}
    assert failing_days["policy_currency"] == {today - timedelta(days=scenario.old_revision_day)}
    assert today - timedelta(days=scenario.redaction_skipped_day) in failing_days["redaction_coverage"]
    silent = (simulated.end - timedelta(days=scenario.silent_day)).date()
    assert failing_days["log_continuity"] == {silent}
    assert set(NodeGap.objects.values_list("kind", flat=True)) == {"silence"}
    assert NodeGap.objects.filter(seconds__gte=5 * 3600).count() == 2  # both nodes of the silent gateway
    # A check failing on several days (and on several controls) still opens one nonconformity per pair.
    titles = Nonconformity.objects.values("title").annotate(n=Count("id"))
    assert titles and {row["n"] for row in titles} == {1}


def test_rebuilding_the_simulated_month_changes_nothing(simulated) -> None:
    from evidence import rollups
    from evidence.models import EvidenceSource

    live = _snapshot()
    for source in EvidenceSource.objects.all():
        rollups.rebuild(source)
    assert _snapshot() == live
