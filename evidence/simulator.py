"""Realistic gateway traffic for the demo register, pushed through the real ingestion path.

Each day of the simulated period gets decisions for every active use case, using the models the register
approves for it, the redaction its policy requires and the policy revision in force, plus a heartbeat from
each gateway node every `heartbeat_every` minutes. Batches are validated, deduplicated, stored and expanded
exactly as a POST to /api/evidence/v1/events would be (evidence.ingest + evidence.services.ingest), only with
`received_at` set to the simulated moment so that each day gets its own checkpoint.

So that every automated control check both passes and fails somewhere in the demo, the simulation mixes in
named scenarios: a silent gateway (no heartbeats for hours), an unapproved model let through, redaction
skipped, decisions under an old policy revision, and fail-open decisions. Event ids are derived from a seed,
so running it twice stores nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.apps import apps

from evidence import ingest, partitions, services
from evidence.models import EvidenceSource

BATCH = 500
# The rule ids the policy compiler gives its rules (policies/compiler.py; a test keeps the two in step). Evidence
# sits below policies, so it names them rather than importing them.
RULE_MODEL = "R-MODEL"
RULE_PII = "R-PII"
ENTITY_WEIGHTS = {"EMAIL_ADDRESS": 5, "PHONE_NUMBER": 3, "PERSON": 0, "IBAN_CODE": 2, "CREDIT_CARD": 1}


@dataclass(frozen=True)
class UseCaseProfile:
    key: str
    allowed_models: list[str]
    redaction_required: bool
    pii: dict[str, str]
    fail_mode: str


@dataclass
class Scenario:
    """Where the simulation departs from a well-run gateway, so that checks have something to find."""

    silent_source: str | None = None
    silent_day: int = 3  # days before the end of the period
    silent_hours: tuple[int, int] = (9, 15)
    unapproved_model: str = "gpt-4-unreviewed"
    unapproved_day: int = 5
    redaction_skipped_day: int = 1  # the last whole day: the demo's status shows a failing control
    old_revision_day: int = 9
    old_revision: str = "0" * 64
    fail_open_day: int = 4


@dataclass
class Plan:
    events: int
    days: int
    end: datetime
    sources: list[EvidenceSource]
    use_cases: list[UseCaseProfile]
    revision: str
    bundle: str
    seed: int = 42
    heartbeat_every: int | None = None  # minutes, per node; None: the source's heartbeat_seconds
    scenario: Scenario = field(default_factory=Scenario)


def register_profiles() -> list[UseCaseProfile]:
    """The register's active use cases, as the bundle sees them (registry.selectors.use_case_policy)."""
    try:
        use_case = apps.get_model("registry", "UseCase")
    except LookupError:
        return []
    from registry.selectors import use_case_policy

    profiles = []
    for uc in use_case.objects.filter(active=True).order_by("key"):
        policy = use_case_policy(uc)
        profiles.append(
            UseCaseProfile(
                key=policy["key"],
                allowed_models=policy["allowed_models"] or ["gpt-4o-mini"],
                redaction_required=policy["redaction_required"],
                pii=policy["pii"],
                fail_mode=policy["fail_mode"],
            )
        )
    return profiles


def current_policy() -> tuple[str, str]:
    """(bundle name, revision) of the published policy bundle, or a placeholder when none is published.

    Read through the app registry, like the register's use cases: evidence does not import the policies app.
    """
    try:
        bundle_model = apps.get_model("policies", "PolicyBundle")
    except LookupError:
        return "unpublished", "f" * 64
    from importlib import import_module

    bundle = import_module(f"{bundle_model._meta.app_config.name}.selectors").current_bundle()
    if bundle is None:
        return "unpublished", "f" * 64
    return bundle.name, bundle.revision


def _event_id(seed: int, *parts: object) -> str:
    return hashlib.sha256(f"{seed}:{':'.join(map(str, parts))}".encode()).hexdigest()[:32]


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _decision(plan: Plan, rng: random.Random, source: str, node: str, seq: int, when: datetime, n: int) -> dict:
    uc = rng.choice(plan.use_cases)
    days_before_end = (plan.end.date() - when.date()).days
    scenario = plan.scenario
    model = rng.choice(uc.allowed_models)
    revision = plan.revision
    fail_mode = uc.fail_mode
    decision, reasons, rule_ids = "allow", [], [RULE_MODEL]
    counts: dict[str, int] = {}
    executed = bool(uc.pii) or uc.redaction_required
    roll = rng.random()
    if roll < 0.04:
        decision, model = "block", rng.choice(["gpt-4-unreviewed", "llama-3-70b-community"])
        reasons = [{"code": "model_not_allowed", "rule_id": RULE_MODEL}]
    elif roll < 0.07 and uc.pii:
        decision = "block"
        entity = rng.choice(sorted(uc.pii))
        counts = {entity: 1}
        reasons = [{"code": "pii_blocked", "rule_id": RULE_PII}]
        rule_ids.append(RULE_PII)
    elif roll < 0.45 and uc.pii:
        decision = "redact"
        entity = rng.choice(sorted(uc.pii))
        counts = {entity: rng.randint(1, 3)}
        reasons = [{"code": "pii_redacted", "rule_id": RULE_PII}]
        rule_ids.append(RULE_PII)
    if days_before_end == scenario.unapproved_day and n % 97 == 0:
        model, decision, reasons = scenario.unapproved_model, "allow", []  # let through: the check must catch it
    if days_before_end == scenario.redaction_skipped_day and uc.redaction_required and n % 13 == 0:
        executed, decision, counts, reasons = False, "allow", {}, []
        model = model if model in uc.allowed_models else uc.allowed_models[0]  # only the redaction departs
    if days_before_end == scenario.old_revision_day and n % 3 == 0:
        revision = scenario.old_revision
    # Every 53rd event of that day: frequent enough that any day of a few hundred events has some, whatever hour
    # the period ends at (every 211th missed the day in some hours, and the fail-open check had nothing to find).
    if days_before_end == scenario.fail_open_day and n % 53 == 0:
        fail_mode, decision = "open", "error"
        reasons = [{"code": "portal_unreachable", "rule_id": None}]
    prompt_tokens = rng.randint(40, 1800)
    completion_tokens = rng.randint(20, 900)
    return {
        "schema_version": "1.0",
        "kind": "decision",
        "event_id": _event_id(plan.seed, source, node, seq),
        "occurred_at": _z(when),
        "node_id": node,
        "producer_seq": seq,
        "trace_id": _event_id(plan.seed, "trace", source, seq),
        "stage": "pre_call",
        "decision": decision,
        "fail_mode": fail_mode,
        "use_case": uc.key,
        "actor": {"team": uc.key.split("-")[0], "key_alias": f"{uc.key}-svc", "user_ref": f"u-{rng.randint(1, 400)}"},
        "model": {
            "requested": model,
            "used": None if decision == "block" else model,
            "provider": "openai",
            "region": "eu",
        },
        "policy": {"bundle": plan.bundle, "revision": revision, "rule_ids": rule_ids},
        "reasons": reasons,
        "redaction": {"executed": executed, "engine": "aims-enforcement/0.1.0", "counts": counts},
        "metrics": {
            "latency_ms": round(rng.uniform(0.05, 3.0), 3),
            "prompt_tokens": prompt_tokens,
            "completion_tokens": 0 if decision == "block" else completion_tokens,
            "cost": f"{(prompt_tokens + completion_tokens) * 0.0000006:.6f}",
        },
        "attributes": {},
    }


def _heartbeat_ticks(plan: Plan, source: EvidenceSource, day_start: datetime, number: int) -> list[datetime]:
    """One node's heartbeats over a day: every `heartbeat_every` minutes, or else every heartbeat_seconds of
    its source (a gateway keeps the promise it registered, so a well-run day shows no gap). Nodes are offset
    from each other by a few seconds, as replicas started apart are."""
    every = (
        timedelta(minutes=plan.heartbeat_every)
        if plan.heartbeat_every
        else timedelta(seconds=source.heartbeat_seconds)
    )
    offset = timedelta(seconds=7 * number)
    ticks, moment = [], day_start + offset
    while moment < day_start + timedelta(days=1):
        ticks.append(moment)
        moment += every
    return ticks


def _stream(plan: Plan) -> Iterator[tuple[EvidenceSource, datetime, dict]]:
    """Every event of the plan with its source and the moment it is received, in time order per source."""
    rng = random.Random(plan.seed)  # noqa: S311  reproducible demo traffic, not a secret
    start = plan.end - timedelta(days=plan.days)
    per_day = max(1, plan.events // max(1, plan.days * len(plan.sources)))
    scenario = plan.scenario
    silent_date = (plan.end - timedelta(days=scenario.silent_day)).date()

    def silent(name: str, when: datetime) -> bool:
        # One UTC date's hours, whatever hour the period ends at (a day of the plan spans two dates).
        hours = scenario.silent_hours
        return name == scenario.silent_source and when.date() == silent_date and hours[0] <= when.hour < hours[1]

    for source in plan.sources:
        nodes = [f"{source.name}-node-{i}" for i in range(1, 3)]
        seq = {node: 0 for node in nodes}
        for day in range(plan.days):
            day_start = start + timedelta(days=day)
            moments = sorted(day_start + timedelta(seconds=rng.uniform(0, 86_400)) for _ in range(per_day))
            # Decisions are spread over the nodes (a load balancer); each node sends its own heartbeats.
            timeline = [(m, "decision", nodes[i % len(nodes)]) for i, m in enumerate(moments)]
            for number, node in enumerate(nodes):
                timeline += [(t, "heartbeat", node) for t in _heartbeat_ticks(plan, source, day_start, number)]
            for n, (when, kind, node) in enumerate(sorted(timeline, key=lambda item: (item[0], item[2]))):
                if silent(source.name, when):
                    continue  # the gateway is down: neither decisions nor heartbeats arrive
                seq[node] += 1
                if kind == "heartbeat":
                    event = {
                        "schema_version": "1.0",
                        "kind": "heartbeat",
                        "event_id": _event_id(plan.seed, source.name, node, seq[node]),
                        "occurred_at": _z(when),
                        "node_id": node,
                        "producer_seq": seq[node],
                        "counters": {"sent": seq[node], "spooled": 0, "dropped": 0},
                    }
                else:
                    event = _decision(plan, rng, source.name, node, seq[node], when, n)
                yield source, when, event


def run(plan: Plan) -> dict[str, int]:
    """Ingest the plan in batches per source and minute-ish windows; return accepted and duplicate counts."""
    # Back-dated days land in past months: on PostgreSQL their partitions must exist before the events do.
    partitions.ensure_partitions(start=(plan.end - timedelta(days=plan.days + 1)).date())
    limits = ingest.Limits(retention_days=max(plan.days + 2, 183))
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0}
    pending: dict[int, list[tuple[datetime, dict]]] = {}

    def flush(source: EvidenceSource, items: list[tuple[datetime, dict]]) -> None:
        received_at = items[-1][0] + timedelta(seconds=2)
        raws = [json.dumps(event).encode() for _, event in items]
        parsed = ingest.validate_items(raws, now=received_at, limits=limits)
        result = services.ingest(source=source, parsed=parsed, received_at=received_at)
        totals["accepted"] += result.accepted
        totals["duplicates"] += result.duplicates
        totals["rejected"] += len(result.rejected)

    by_id = {s.pk: s for s in plan.sources}
    for source, when, event in _stream(plan):
        items = pending.setdefault(source.pk, [])
        # A gateway flushes every 500 events or when its buffer spans an hour, whichever comes first.
        if items and (len(items) >= BATCH or when - items[0][0] > timedelta(hours=1)):
            flush(source, items)
            items.clear()
        items.append((when, event))
    for source_id, items in pending.items():
        if items:
            flush(by_id[source_id], items)
    return totals
