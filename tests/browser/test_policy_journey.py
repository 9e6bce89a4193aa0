"""Journey (d): a governance officer changes a use case's fail mode, compiles the policy bundle the register now
implies and asks for its publication; after a committee member approves it, it is the bundle gateways get."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Journey, label

pytestmark = pytest.mark.browser


def test_officer_publishes_a_policy_bundle_after_committee_approval(journey: Journey) -> None:
    officer = journey.login("officer")
    journey.goto(officer, "/register/use-cases/policy-qa/edit/")
    fail_mode = officer.get_by_label(label("Fail mode"))
    flipped = "open" if fail_mode.input_value() == "closed" else "closed"
    fail_mode.select_option(flipped)
    officer.get_by_label(label("Reason")).fill("Policy questions may pass when the gateway's engine is down")
    journey.submit(officer, "Save")

    journey.goto(officer, "/policies/")
    journey.follow(officer, "Draft", exact=True, within="main nav")
    changed = officer.locator("dl.facts")
    expect(changed).to_contain_text("policy-qa")
    officer.get_by_label(label("Note")).fill("policy-qa fails open from now on.")
    journey.submit(officer, "Compile and ask the committee to publish")
    expect(officer.get_by_role("status")).to_contain_text("Publication requested")
    bundle_path = officer.url.removeprefix(journey.base_url)
    revision = officer.get_by_role("heading", level=1).locator("code").inner_text()
    expect(officer.get_by_role("button", name="Record decision")).to_have_count(0)
    expect(officer.get_by_role("main")).to_contain_text("Awaiting a committee member other than")

    committee = journey.login("committee")
    journey.goto(committee, bundle_path)
    committee.get_by_label(label("Decision")).select_option("approve")
    committee.get_by_label(label("Rationale")).fill("Low-risk use case; fail-open is recorded in the evidence.")
    journey.submit(committee, "Record decision")
    expect(committee.get_by_role("status")).to_contain_text("Published: gateways get this revision now")

    journey.goto(officer, "/policies/")
    expect(officer.get_by_role("main").get_by_role("link", name=re.compile(revision)).first).to_be_visible()
    journey.goto(officer, bundle_path)
    facts = officer.locator("dl.facts")
    expect(facts).to_contain_text("current")
    expect(facts).to_contain_text("Clara Chen")
    use_cases = officer.get_by_role("table", name="Use cases in this bundle")
    expect(use_cases.get_by_role("row").filter(has_text="policy-qa")).to_contain_text(flipped)
