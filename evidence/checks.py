"""Automated control checks over evidence rollups (issue 8, item 5; DESIGN.md, Control status).

Each check measures one enforcement metric (enforcement_controls.yaml `metrics`) over a period, from `Rollup`,
`NodeGap` and `SourceNode` only (never the raw events), and writes one dated result per control
implementation the metric evidences through the controls seam (`controls.services.record_check_result`,
source "automated:<check name>"). The implementations are found through the loaded control catalog: the
Annex A controls linked to the check's metrics (`Requirement.metric_links`), then the implementations that
satisfy those controls. An implementation scoped to use cases is measured on its use cases only.

- `model_allowlist`, metric M-MODEL-EGRESS, target = 0: allow and redact decisions for a model not in the use
  case's `allowed_models` of the bundle revision decided under (the current approved bundle when that revision
  is unknown).
- `redaction_coverage`, M-RED-COV, = 100%: of the requests forwarded upstream on use cases whose bundle says
  `redaction_required` (allow and redact decisions, and error decisions let through by failing open), the
  share with redaction executed. Blocked requests never leave, so they do not count.
- `log_continuity`, M-LOG-CONT, = 0: gaps of gateway nodes in the period: `NodeGap` rows overlapping it
  (silences longer than the source's heartbeat, producer_seq jumps), plus nodes of active sources that fell
  silent in it and have not spoken since.
- `policy_currency`, M-POL-VER, >= AIMS_POLICY_CURRENCY_TARGET (95 by default): the share of decisions made
  under a revision that was the current approved one at some moment of the period (a revision approved
  mid-period and its predecessor both count). Not 100%: a gateway keeps its cached revision until its next
  pull, so a few decisions after a publication legitimately name the previous one; 5% of a day is over an hour
  of lag, far beyond an ETag poll interval, so a real lag or a stale gateway still fails.
- `fail_open`, M-RED-BYPASS, = 0: decisions made while failing open (`decision` error, `fail_mode` open).

A ratio over no traffic passes (nothing was forwarded unredacted); the continuity check is what catches a
silent gateway. A failing result calls the handlers registered with `on_check_failed` (governance raises a
nonconformity from there: evidence may not import the aims apps, which sit above it). Running the checks twice
for the same period records nothing new unless the value changed (late events), so beat and the demo may
re-run them freely.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from celery import shared_task
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from aims.core.exceptions import ServiceError
from controls import services as control_services
from controls.choices import CheckOutcome, ImplementationStatus, RequirementKind
from controls.models import ControlCheckResult, ControlImplementation
from evidence.choices import Granularity, Outcome
from evidence.models import EvidenceSource, NodeGap, Rollup, SourceNode
from evidence.rollups import hourly_cutoff

log = logging.getLogger(__name__)

FORWARDED = (Outcome.ALLOW.value, Outcome.REDACT.value)
PERCENT = Decimal("0.0001")


def currency_target() -> Decimal:
    return Decimal(str(getattr(settings, "AIMS_POLICY_CURRENCY_TARGET", 95)))


# --- hooks --------------------------------------------------------------------------------------------------
FailedHandler = Callable[[ControlCheckResult, str], None]
_FAILED_HANDLERS: list[FailedHandler] = []


def on_check_failed(handler: FailedHandler) -> None:
    """Register `handler(result, check_name)`, called after each newly recorded failing result."""
    if handler not in _FAILED_HANDLERS:
        _FAILED_HANDLERS.append(handler)


# --- what the checks read ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def granularity(self) -> str:
        midnight = time(0, tzinfo=UTC)
        aligned = self.start.timetz() == midnight and self.end.timetz() == midnight
        return Granularity.DAY if aligned else Granularity.HOUR

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


@dataclass
class Bundles:
    """The published policy bundles, read through the app registry (evidence sits below policies)."""

    by_revision: dict[str, dict[str, Any]] = field(default_factory=dict)
    approvals: list[tuple[datetime, str]] = field(default_factory=list)  # (decided_at, revision), oldest first

    @classmethod
    def load(cls) -> Bundles:
        try:
            model = apps.get_model("policies", "PolicyBundle")
        except LookupError:
            return cls()
        loaded = cls()
        for bundle in model.objects.published():
            loaded.by_revision[bundle.revision] = bundle.content or {}
            if bundle.decided_at is not None:
                loaded.approvals.append((bundle.decided_at, bundle.revision))
        loaded.approvals.sort()
        return loaded

    def current_at(self, moment: datetime) -> str | None:
        """The approved revision in force at the moment; before the first approval, the first approved one
        (a register published after its gateways started, as in the demo, has no earlier revision to hold)."""
        current = self.approvals[0][1] if self.approvals else None
        for decided_at, revision in self.approvals:
            if decided_at <= moment:
                current = revision
        return current

    def current_during(self, period: Period) -> set[str]:
        """Every revision that was the current approved one at some moment of the period."""
        revisions = {revision for decided_at, revision in self.approvals if period.start < decided_at < period.end}
        first = self.current_at(period.start)
        return revisions | ({first} if first else set())

    def use_case(self, revision: str, use_case: str, fallback: str | None) -> dict[str, Any] | None:
        content = self.by_revision.get(revision) or self.by_revision.get(fallback or "") or {}
        return (content.get("use_cases") or {}).get(use_case)


@dataclass(frozen=True)
class Row:
    source_id: int
    use_case: str
    model: str
    decision: str
    revision: str
    events: int
    executed: int
    fail_open: int


def rollup_rows(period: Period) -> list[Row]:
    grain = period.granularity
    if grain == Granularity.HOUR and period.start < hourly_cutoff():
        raise ServiceError(
            "Hourly rollups are kept for 7 days: check older periods by whole UTC days.",
            fields={"period_start": ["Use a UTC midnight, or a moment within the last 7 days."]},
        )
    rows = (
        Rollup.objects.filter(granularity=grain, bucket__gte=period.start, bucket__lt=period.end)
        .values("source_id", "use_case", "model", "decision", "revision")
        .annotate(n=Sum("events"), executed=Sum("redaction_executed"), failed_open=Sum("fail_open"))
        .order_by()
    )
    return [
        Row(
            r["source_id"],
            r["use_case"],
            r["model"],
            r["decision"],
            r["revision"],
            r["n"] or 0,
            r["executed"] or 0,
            r["failed_open"] or 0,
        )
        for r in rows
    ]


@dataclass
class Facts:
    period: Period
    rows: list[Row]
    bundles: Bundles
    gaps: list[tuple[int, str, str, int]]  # source id, node, kind, missing
    trailing_silences: list[tuple[int, str]]

    @classmethod
    def gather(cls, period: Period, now: datetime) -> Facts:
        gaps = list(
            NodeGap.objects.filter(started_at__lt=period.end, ended_at__gt=period.start)
            .values_list("source_id", "node_id", "kind", "missing")
            .order_by("started_at")
        )
        # A node that went silent inside the period and has not spoken since: its gap has no end yet.
        trailing = []
        horizon = min(now, period.end)
        for node in SourceNode.objects.filter(
            source__is_active=True, last_seen_at__gte=period.start, last_seen_at__lt=period.end
        ).select_related("source"):
            if (horizon - node.last_seen_at).total_seconds() > node.source.heartbeat_seconds and (
                now - node.last_seen_at
            ).total_seconds() > node.source.heartbeat_seconds:
                trailing.append((node.source_id, node.node_id))
        return cls(period, rollup_rows(period), Bundles.load(), gaps, trailing)


@dataclass(frozen=True)
class Measure:
    value: Decimal
    passed: bool
    detail: str


def _share(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(100)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(PERCENT, rounding=ROUND_DOWN)


# --- the checks ----------------------------------------------------------------------------------------------
def model_allowlist(facts: Facts, rows: list[Row]) -> Measure:
    fallback = facts.bundles.current_at(facts.period.end)
    unapproved: dict[tuple[str, str], int] = defaultdict(int)
    for row in rows:
        if row.decision not in FORWARDED:
            continue
        policy = facts.bundles.use_case(row.revision, row.use_case, fallback)
        if policy is None or row.model not in (policy.get("allowed_models") or []):
            unapproved[(row.use_case, row.model)] += row.events
    count = sum(unapproved.values())
    detail = ", ".join(f"{uc}/{model}: {n}" for (uc, model), n in sorted(unapproved.items())) or "none"
    return Measure(Decimal(count), count == 0, f"unapproved models let through: {detail}")


def redaction_coverage(facts: Facts, rows: list[Row]) -> Measure:
    fallback = facts.bundles.current_at(facts.period.end)
    forwarded = executed = 0
    for row in rows:
        policy = facts.bundles.use_case(row.revision, row.use_case, fallback)
        if not (policy and policy.get("redaction_required")):
            continue
        if row.decision in FORWARDED:
            forwarded += row.events
            executed += row.executed
        elif row.decision == Outcome.ERROR:
            forwarded += row.fail_open  # let through unredacted
    value = _share(executed, forwarded)
    return Measure(value, executed == forwarded, f"{executed} of {forwarded} forwarded requests redacted")


def log_continuity(facts: Facts, source_ids: set[int] | None) -> Measure:
    gaps = [g for g in facts.gaps if source_ids is None or g[0] in source_ids]
    trailing = [t for t in facts.trailing_silences if source_ids is None or t[0] in source_ids]
    silences = sum(1 for g in gaps if g[2] == NodeGap.Kind.SILENCE) + len(trailing)
    holes = sum(g[3] for g in gaps if g[2] == NodeGap.Kind.SEQUENCE)
    count = len(gaps) + len(trailing)
    detail = f"{silences} silences longer than the heartbeat, {holes} missing producer_seq values"
    return Measure(Decimal(count), count == 0, detail)


def policy_currency(facts: Facts, rows: list[Row]) -> Measure:
    current = facts.bundles.current_during(facts.period)
    total = sum(row.events for row in rows)
    under = sum(row.events for row in rows if row.revision in current)
    value = _share(under, total)
    return Measure(value, value >= currency_target(), f"{under} of {total} decisions under the current revision")


def fail_open(facts: Facts, rows: list[Row]) -> Measure:
    count = sum(row.fail_open for row in rows)
    return Measure(Decimal(count), count == 0, f"{count} decisions made while failing open")


@dataclass(frozen=True)
class Check:
    name: str
    metric: str  # recorded as the result's metric
    evidences: tuple[str, ...]  # metrics whose Annex A controls the result is recorded for
    target: Callable[[], str]
    measure: Callable[..., Measure]
    by_source: bool = False  # measured over sources (continuity), not over use cases


CHECKS: tuple[Check, ...] = (
    Check("model_allowlist", "M-MODEL-EGRESS", ("M-MODEL-EGRESS", "M-MODEL-CONF"), lambda: "= 0", model_allowlist),
    Check("redaction_coverage", "M-RED-COV", ("M-RED-COV",), lambda: "= 100%", redaction_coverage),
    Check("log_continuity", "M-LOG-CONT", ("M-LOG-CONT",), lambda: "= 0", log_continuity, by_source=True),
    Check("policy_currency", "M-POL-VER", ("M-POL-VER",), lambda: f">= {currency_target()}%", policy_currency),
    Check("fail_open", "M-RED-BYPASS", ("M-RED-BYPASS",), lambda: "= 0", fail_open),
)


def implementations_for(check: Check) -> list[ControlImplementation]:
    """The implementations of the Annex A controls the check's metrics evidence (the loaded control catalog)."""
    return list(
        ControlImplementation.objects.filter(
            requirements__framework__slug="iso42001",
            requirements__kind=RequirementKind.CONTROL,
            requirements__metric_links__metric__code__in=check.evidences,
        )
        .exclude(status=ImplementationStatus.RETIRED)
        .prefetch_related("use_cases")
        .distinct()
        .order_by("code")
    )


def _scope(implementation: ControlImplementation, facts: Facts, check: Check) -> Any:
    keys = {uc.key for uc in implementation.use_cases.all()}
    if check.by_source:
        if not keys:
            return None
        return set(
            EvidenceSource.objects.filter(Q(use_cases__key__in=keys) | Q(use_cases__isnull=True)).values_list(
                "pk", flat=True
            )
        )
    return [row for row in facts.rows if not keys or row.use_case in keys]


# --- running -------------------------------------------------------------------------------------------------
def _record(
    implementation: ControlImplementation, check: Check, period: Period, measure: Measure
) -> tuple[ControlCheckResult, bool]:
    """Record the result unless the latest one for the same period already says the same (re-runs are free)."""
    source = f"automated:{check.name}"
    outcome = CheckOutcome.PASS if measure.passed else CheckOutcome.FAIL
    value = measure.value.quantize(Decimal("0.000001"))
    latest = (
        ControlCheckResult.objects.filter(
            implementation=implementation,
            metric=check.metric,
            source=source,
            period_start=period.start,
            period_end=period.end,
        )
        .order_by("-recorded_at", "-id")
        .first()
    )
    if latest is not None and latest.outcome == outcome and latest.value == value:
        return latest, False
    result = control_services.record_check_result(
        implementation=implementation,
        period_start=period.start,
        period_end=period.end,
        metric=check.metric,
        value=value,
        target=check.target(),
        outcome=outcome,
        source=source,
    )
    result.detail = measure.detail  # type: ignore[attr-defined]  for the failure handlers; not stored
    return result, True


def run_checks(
    period_start: datetime, period_end: datetime, *, checks: Iterable[str] | None = None
) -> list[ControlCheckResult]:
    """Run the checks over [period_start, period_end) and record a result per check and implementation.

    A period of whole UTC days reads the day rollups; any other (whole hours, within the last 7 days) reads the
    hourly ones. Returns the results (the stored ones when a re-run found nothing new).
    """
    period = _period(period_start, period_end)
    wanted = set(checks) if checks else None
    unknown = (wanted or set()) - {c.name for c in CHECKS}
    if unknown:
        raise ServiceError(f"Unknown checks: {', '.join(sorted(unknown))}.", fields={"checks": ["Unknown."]})
    results: list[ControlCheckResult] = []
    with transaction.atomic():
        facts = Facts.gather(period, timezone.now())
        for check in CHECKS:
            if wanted is not None and check.name not in wanted:
                continue
            for implementation in implementations_for(check):
                measure = check.measure(facts, _scope(implementation, facts, check))
                result, new = _record(implementation, check, period, measure)
                results.append(result)
                if new and result.outcome == CheckOutcome.FAIL:
                    for handler in _FAILED_HANDLERS:
                        handler(result, check.name)
    return results


def _period(start: datetime, end: datetime) -> Period:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ServiceError("The period needs time zones (UTC).", fields={"period_start": ["Give an aware time."]})
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise ServiceError("The period must end after it starts.", fields={"period_end": ["Must be after start."]})
    whole_hours = all(m.minute == 0 and m.second == 0 and m.microsecond == 0 for m in (start, end))
    if not whole_hours:
        raise ServiceError("A period starts and ends on whole UTC hours.", fields={"period_start": ["Whole hours."]})
    return Period(start, end)


def day_period(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def run_checks_for_days(first: date, last: date) -> list[ControlCheckResult]:
    """Each UTC day from first to last (inclusive) checked as its own period, oldest first."""
    results: list[ControlCheckResult] = []
    day = first
    while day <= last:
        results += run_checks(*day_period(day))
        day += timedelta(days=1)
    return results


@shared_task(name="evidence.tasks.run_control_checks")
def run_control_checks(day: str | None = None) -> int:
    """Beat, daily after midnight UTC: check the previous UTC day (or the ISO date given)."""
    target = date.fromisoformat(day) if day else timezone.now().astimezone(UTC).date() - timedelta(days=1)
    return len(run_checks(*day_period(target)))
