"""The traffic simulator: real ingestion, every scenario present, and idempotent."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from evidence import simulator
from evidence.models import Event
from tests.registry.factories import UseCaseFactory


@pytest.fixture
def traffic(evidence_source):
    UseCaseFactory(key="support-chat", redaction_required=True, pii_policy={"EMAIL_ADDRESS": "mask"})
    UseCaseFactory(key="code-assist", redaction_required=False, pii_policy={})
    plan = simulator.Plan(
        events=3000,
        days=10,
        end=datetime.now(UTC).replace(minute=0, second=0, microsecond=0),
        sources=[evidence_source],
        use_cases=simulator.register_profiles(),
        revision="ab" * 32,
        bundle="northwind",
        heartbeat_every=30,
        scenario=simulator.Scenario(silent_source=evidence_source.name),
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        totals = simulator.run(plan)
    return plan, totals


def _events(source) -> list[dict]:
    return [json.loads(c)["event"] for c in Event.objects.filter(source=source).values_list("canonical", flat=True)]


def test_it_goes_through_real_ingestion_and_verifies(traffic, evidence_source) -> None:
    _plan, totals = traffic
    assert totals["rejected"] == 0
    assert totals["accepted"] == Event.objects.filter(source=evidence_source).count() > 3000
    out = StringIO()
    call_command("verify_evidence", stdout=out)
    assert out.getvalue().startswith("ok litellm-prod")


def test_every_scenario_shows_up(traffic, evidence_source) -> None:
    plan, _ = traffic
    events = _events(evidence_source)
    decisions = [e for e in events if e["kind"] == "decision"]
    assert any(
        e["model"]["requested"] == plan.scenario.unapproved_model and e["decision"] == "allow" for e in decisions
    )
    assert any(not e["redaction"]["executed"] and e["use_case"] == "support-chat" for e in decisions)
    assert any(e["policy"]["revision"] == plan.scenario.old_revision for e in decisions)
    assert any(e["fail_mode"] == "open" for e in decisions)
    assert any(e["decision"] == "block" for e in decisions)
    silent_day = (plan.end - timedelta(days=plan.scenario.silent_day)).date()
    beats = sorted(
        datetime.fromisoformat(e["occurred_at"])
        for e in events
        if e["kind"] == "heartbeat" and datetime.fromisoformat(e["occurred_at"]).date() == silent_day
    )
    longest_gap = max(b - a for a, b in itertools.pairwise(beats))
    assert longest_gap >= timedelta(hours=5)


def test_running_it_again_stores_nothing_twice(traffic, evidence_source) -> None:
    plan, first = traffic
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = simulator.run(plan)
    assert again["accepted"] == 0
    assert again["duplicates"] == first["accepted"]


def test_the_command_needs_a_source_and_a_register(db) -> None:
    with pytest.raises(CommandError, match="No active evidence source"):
        call_command("simulate_traffic", "--events", "10", "--days", "1", stdout=StringIO())


def test_the_simulators_rule_ids_are_the_policy_compilers() -> None:
    from policies import compiler

    assert (simulator.RULE_MODEL, simulator.RULE_PII) == (compiler.RULE_MODEL, compiler.RULE_PII)
