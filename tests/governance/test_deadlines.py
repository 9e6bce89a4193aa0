"""EU AI Act Art. 73 reporting deadlines, case by case (reference: shared/reference/eu_ai_act.yaml, art. 73)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aims.governance.choices import SeriousCase
from aims.governance.deadlines import reporting_deadline

AWARE = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("case", "days", "article"),
    [
        (SeriousCase.GENERAL, 15, "Art. 73(2)"),
        (SeriousCase.WIDESPREAD_OR_CRITICAL, 2, "Art. 73(3)"),
        (SeriousCase.DEATH, 10, "Art. 73(4)"),
    ],
)
def test_each_case_runs_its_own_period_from_awareness(case: SeriousCase, days: int, article: str) -> None:
    deadline = reporting_deadline(aware_at=AWARE, case=case)
    assert deadline.due_at == AWARE + timedelta(days=days)
    assert (deadline.days, deadline.article) == (days, article)


def test_a_general_serious_incident_is_due_fifteen_days_later_to_the_minute() -> None:
    assert reporting_deadline(aware_at=AWARE, case=SeriousCase.GENERAL).due_at == datetime(
        2026, 3, 17, 9, 30, tzinfo=UTC
    )


def test_the_period_crosses_a_month_end() -> None:
    aware = datetime(2026, 2, 27, 12, 0, tzinfo=UTC)
    assert reporting_deadline(aware_at=aware, case=SeriousCase.WIDESPREAD_OR_CRITICAL).due_at == datetime(
        2026, 3, 1, 12, 0, tzinfo=UTC
    )


def test_the_countdown_says_what_is_left_then_how_late() -> None:
    deadline = reporting_deadline(aware_at=AWARE, case=SeriousCase.WIDESPREAD_OR_CRITICAL)
    assert deadline.countdown(AWARE + timedelta(hours=20)) == "1 day 4 hours left"
    assert not deadline.is_overdue(AWARE + timedelta(days=2))
    assert deadline.is_overdue(AWARE + timedelta(days=2, seconds=1))
    assert deadline.countdown(AWARE + timedelta(days=5, hours=1)) == "3 days 1 hour overdue"


def test_the_string_value_of_a_case_is_accepted() -> None:
    assert reporting_deadline(aware_at=AWARE, case="death").days == 10  # type: ignore[arg-type]
