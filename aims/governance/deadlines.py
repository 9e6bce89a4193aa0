"""EU AI Act Art. 73 reporting deadlines for serious incidents, as a pure function.

What the Act says, per /work/shared/reference/eu_ai_act.yaml (high_risk_requirements_and_obligations, article
"73", "Reporting of serious incidents"): report "immediately once a causal link is established or reasonably
likely, and at the latest within 15 days; 2 days for widespread infringements or serious critical-infrastructure
disruption; 10 days in case of death; initial incomplete reports allowed". In the OJ numbering that file uses,
those are Art. 73(2) (15 days), 73(3) (2 days: a widespread infringement, or a serious incident under Art.
3(49)(b), a serious and irreversible disruption of critical infrastructure) and 73(4) (10 days: death). Each
period runs from when the provider (or the deployer) became aware of the serious incident.

The shortest period is the one a case falls under; the portal records one case per incident, and the person
recording it chooses the most urgent case that applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from aims.governance.choices import SeriousCase

# Case -> (days, article paragraph). Days from awareness; "at the latest", so earlier is always allowed.
PERIODS: dict[SeriousCase, tuple[int, str]] = {
    SeriousCase.GENERAL: (15, "Art. 73(2)"),
    SeriousCase.WIDESPREAD_OR_CRITICAL: (2, "Art. 73(3)"),
    SeriousCase.DEATH: (10, "Art. 73(4)"),
}


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    days: int
    article: str

    def countdown(self, now: datetime) -> str:
        """'3 days 4 hours left' or '2 days overdue' (whole hours, rounded down)."""
        delta = self.due_at - now
        overdue = delta.total_seconds() < 0
        seconds = int(abs(delta.total_seconds()))
        days, rest = divmod(seconds, 86_400)
        hours = rest // 3600
        text = f"{days} day{'s' if days != 1 else ''} {hours} hour{'s' if hours != 1 else ''}"
        return f"{text} overdue" if overdue else f"{text} left"

    def is_overdue(self, now: datetime) -> bool:
        return now > self.due_at


def reporting_deadline(*, aware_at: datetime, case: SeriousCase) -> Deadline:
    """The latest time to report a serious incident of this case, counted from awareness."""
    days, article = PERIODS[SeriousCase(case)]
    return Deadline(due_at=aware_at + timedelta(days=days), days=days, article=article)
