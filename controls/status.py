"""A control's status from what operates (DESIGN.md, Control status): a pure function over dated facts.

The rules, in the order they are applied:

1. **not applicable**: the SoA row says the control does not apply.
2. **failing**: among the results inside the freshness window, the latest result of some metric of some
   implementation failed. Only the latest per (implementation, metric) counts, so a check that failed and then
   passed again is operating, not failing.
3. **operating**: a passing result inside the window, or a manual evidence artifact in force today
   (effective on or before today, not yet expired).
4. **stale**: there was evidence, but all of it is too old: results that ended before the window, or
   artifacts that have expired.
5. **not evidenced**: nothing at all (an artifact that takes effect only in the future is not evidence yet).

The window is `FRESHNESS_WINDOW` (the setting AIMS_CONTROL_FRESHNESS_DAYS, 31 days by default): the longest
period a monthly check may leave between two results. The selectors gather the facts; nothing here touches the
database, so the rules are tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings

from controls.choices import CheckOutcome, ControlStatus

FRESHNESS_WINDOW = timedelta(days=getattr(settings, "AIMS_CONTROL_FRESHNESS_DAYS", 31))


@dataclass(frozen=True)
class ResultFact:
    implementation_id: int
    metric: str
    period_end: datetime
    outcome: str


@dataclass(frozen=True)
class ArtifactFact:
    effective_on: date
    expires_on: date


def control_status(
    *,
    applies: bool,
    results: Iterable[ResultFact],
    artifacts: Iterable[ArtifactFact],
    now: datetime,
    window: timedelta = FRESHNESS_WINDOW,
) -> ControlStatus:
    if not applies:
        return ControlStatus.NOT_APPLICABLE
    since = now - window
    today = now.date()
    latest: dict[tuple[int, str], ResultFact] = {}
    old_results = False
    for result in results:
        if result.period_end < since:
            old_results = True
            continue
        key = (result.implementation_id, result.metric)
        if key not in latest or result.period_end > latest[key].period_end:
            latest[key] = result
    if any(result.outcome == CheckOutcome.FAIL for result in latest.values()):
        return ControlStatus.FAILING
    artifacts = list(artifacts)
    in_force = any(a.effective_on <= today <= a.expires_on for a in artifacts)
    if in_force or any(result.outcome == CheckOutcome.PASS for result in latest.values()):
        return ControlStatus.OPERATING
    if old_results or any(a.expires_on < today for a in artifacts):
        return ControlStatus.STALE
    return ControlStatus.NOT_EVIDENCED
