"""Journey (b): a system owner records a risk with its treatment; its residual risk is above the owner's threshold,
so it is put to the committee and a committee member accepts it (ISO/IEC 42001 6.1.3, 8.3)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Journey, label

pytestmark = pytest.mark.browser


def test_owner_records_a_treated_risk_and_a_committee_member_accepts_its_residual_risk(journey: Journey) -> None:
    title = f"Assistant leaks account numbers in replies {uuid.uuid4().hex[:6]}"
    owner = journey.login("owner")
    journey.goto(owner, "/risks/")
    journey.follow(owner, "Record a risk")
    owner.get_by_label(label("Title")).fill(title)
    owner.get_by_label(label("Ai system")).select_option(label="Nora customer service assistant")
    owner.get_by_label(label("Risk source")).select_option("C.3.4")
    owner.get_by_label("C.2.7 Privacy").check()
    owner.get_by_label(label("Affected parties")).fill("Retail customers")
    owner.get_by_label(label("Inherent likelihood")).fill("4")
    owner.get_by_label(label("Inherent impact")).fill("5")
    owner.get_by_label(label("Residual likelihood")).fill("3")
    owner.get_by_label(label("Residual impact")).fill("4")
    owner.get_by_label(label("Treatment option")).select_option("modify")
    plan = "Redact account numbers at the gateway before the model sees them."
    owner.get_by_label(label("Treatment plan")).fill(plan)
    owner.get_by_label(label("Next review")).fill((date.today() + timedelta(days=90)).isoformat())
    owner.get_by_label("CTL-GW-RED PII redaction at the gateway").check()
    journey.submit(owner, "Save")

    main = owner.get_by_role("main")
    expect(owner.get_by_role("heading", level=1)).to_contain_text(title)
    expect(main).to_contain_text("Who may accept the residual risk: AI governance committee")
    expect(main).to_contain_text("Redact account numbers at the gateway")
    risk_path = owner.url.removeprefix(journey.base_url)

    owner.get_by_text("Add an action").click()
    owner.get_by_label(label("Description")).fill("Turn on IBAN redaction for the retail chat use case")
    owner.get_by_label(label("Owner")).select_option(label="Omar Ortega")
    owner.get_by_label(label("Due on")).fill((date.today() + timedelta(days=14)).isoformat())
    journey.submit(owner, "Add action")
    actions = owner.get_by_role("table", name="Treatment actions")
    expect(actions).to_contain_text("Turn on IBAN redaction")
    # Above the owner's threshold: the owner may not accept it, only the committee.
    expect(owner.get_by_role("button", name="Accept the residual risk as its owner")).to_have_count(0)

    # Owners put their own risks to the committee (risks.request_risk_acceptance, being rolled out); until then a
    # governance officer does (core.request_decision). Either way the committee's four eyes decide.
    requester = owner
    if owner.get_by_role("button", name="Ask the committee to accept").count() == 0:
        requester = journey.login("officer")
        journey.goto(requester, risk_path)
    requester.get_by_label(label("Accept until")).fill((date.today() + timedelta(days=180)).isoformat())
    requester.get_by_label(label("Note")).fill("Treatment under way; the committee's acceptance covers the interim.")
    journey.submit(requester, "Ask the committee to accept")
    expect(requester.get_by_role("status")).to_contain_text("Acceptance requested")

    committee = journey.login("committee")
    waiting = committee.get_by_role("region", name="Decisions waiting for you")
    expect(waiting.get_by_role("link", name=title)).to_have_count(1)
    journey.goto(committee, risk_path)
    committee.get_by_label(label("Decision")).select_option("approve")
    committee.get_by_label(label("Rationale")).fill("Residual risk acceptable while redaction is rolled out.")
    journey.submit(committee, "Record decision")
    expect(committee.get_by_role("status")).to_contain_text("Decision recorded")
    facts = committee.locator("dl.facts").first
    expect(facts).to_contain_text("Accepted until")
    acceptances = committee.get_by_role("table").filter(has_text="Residual risk acceptable while redaction")
    expect(acceptances).to_contain_text("Clara Chen")
