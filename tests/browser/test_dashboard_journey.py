"""Journey (e): a committee member opens the dashboard, changes the period and follows a panel to the list behind
it (ISO/IEC 42001 9.1, 9.3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Journey, label

pytestmark = pytest.mark.browser


def test_committee_member_changes_the_dashboard_period_and_follows_a_panel_to_its_list(journey: Journey) -> None:
    committee = journey.login("committee")
    journey.follow(committee, "Dashboard", exact=True, within="header nav")
    expect(committee.get_by_role("heading", level=1)).to_have_text("Dashboard")

    period = committee.get_by_role("form", name="Period")
    period.get_by_label(label("Period")).select_option("7")
    journey.submit(committee, "Show")
    assert re.search(r"[?&]days=7\b", committee.url), committee.url
    today = datetime.now(UTC).date()
    enforcement = committee.get_by_role("heading", name=re.compile(r"^Enforcement, "))
    expect(enforcement).to_contain_text(f"{today - timedelta(days=6):%Y-%m-%d} to {today:%Y-%m-%d}")
    expect(committee.get_by_role("form", name="Period").get_by_label(label("Period"))).to_have_value("7")

    risks = committee.get_by_role("region", name="Risks", exact=True)
    expect(risks).to_be_visible()
    journey.follow(committee, "The risk register", within='section[aria-labelledby="panel-risks"]')
    assert committee.url.split("?")[0].endswith("/risks/"), committee.url
    expect(committee.get_by_role("heading", level=1)).to_contain_text("risk register")
