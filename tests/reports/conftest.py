"""Fixtures of the reports tests: the demo organisation every app seeds (without its 30 days of traffic), with
a few days of operating evidence written straight into the daily rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

DEMOS = [
    "aims.accounts.demo",
    "registry.demo",
    "controls.demo",
    "risks.demo",
    "evidence.demo",
    "policies.demo",
    "aims.governance.demo",
]


@pytest.fixture
def seeded(db):
    """The demo organisation, as `manage.py seed_demo` makes it before simulating traffic."""
    from importlib import import_module

    for name in DEMOS:
        import_module(name).seed()
    _evidence_days()
    from aims.accounts.models import User

    return User.objects.get(username="officer")


def _evidence_days(days: int = 3) -> None:
    """Decisions for the gateway controls' use cases over the last days, and a failed and a passed check."""
    from controls import services as control_services
    from controls.models import ControlImplementation
    from evidence.choices import Granularity
    from evidence.models import EvidenceSource, Rollup

    source = EvidenceSource.objects.order_by("name").first()
    implementation = ControlImplementation.objects.filter(code="CTL-GW-ALLOW").first()
    if source is None or implementation is None:
        return
    key = implementation.use_cases.order_by("key").values_list("key", flat=True).first() or "policy-qa"
    today = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(1, days + 1):
        bucket = today - timedelta(days=offset)
        for decision, events in (("allow", 120 + offset), ("block", 7 * offset), ("redact", 30)):
            Rollup.objects.create(
                granularity=Granularity.DAY,
                bucket=bucket,
                source=source,
                use_case=key,
                model="gpt-4o",
                decision=decision,
                revision="r1",
                events=events,
                fail_open=1 if decision == "allow" and offset == 2 else 0,
            )
    yesterday = today - timedelta(days=1)
    for metric, outcome in (("M-MODEL-BLOCK", "fail"), ("M-UC-SCOPE", "pass")):
        control_services.record_check_result(
            implementation=implementation,
            period_start=yesterday,
            period_end=yesterday + timedelta(hours=23, minutes=59),
            metric=metric,
            value=Decimal("3") if outcome == "fail" else Decimal("0"),
            target="= 0",
            outcome=outcome,
            source="automated:reports-test",
        )


def utc_day(days_ago: int) -> datetime:
    return (timezone.now() - timedelta(days=days_ago)).astimezone(UTC)
