"""Journey (c): a governance officer changes the Statement of Applicability and asks for approval of the new
version; the officer cannot approve it, a committee member does (four eyes; ISO/IEC 42001 6.1.3 d)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import Journey, label

pytestmark = pytest.mark.browser


def forged_post(page: Page, path: str, form: dict[str, str]) -> int:
    """POST as the logged-in page would, with its session and CSRF token, but without a form on the page."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(path, form=form, headers={"X-CSRFToken": token}, max_redirects=0)
    return response.status


def test_officer_asks_for_soa_approval_cannot_approve_it_and_a_committee_member_does(journey: Journey) -> None:
    note = f"Justification of A.2.2 updated after the policy review {uuid.uuid4().hex[:6]}"
    officer = journey.login("officer")
    journey.goto(officer, "/controls/soa/")
    journey.follow(officer, "Edit A.2.2", exact=True)
    justification = officer.get_by_label(label("Justification"))
    justification.fill(justification.input_value() + " Reviewed against the 2026 AI policy.")
    officer.get_by_label(label("Reason")).fill("Annual policy review")
    journey.submit(officer, "Save")
    expect(officer.get_by_role("status")).to_contain_text("SoA row A.2.2 saved in the draft")

    officer.get_by_label(label("Note")).fill(note)
    journey.submit(officer, "Freeze the draft and ask for approval")
    expect(officer.get_by_role("status")).to_contain_text("approval requested")
    version_path = officer.url.removeprefix(journey.base_url)

    # Four eyes: the requester is offered no way to decide, and a hand-made request is refused.
    journey.goto(officer, "/controls/soa/")
    approval = officer.get_by_role("region", name="Approval")
    expect(approval).to_contain_text("was requested by")
    expect(approval.get_by_role("button")).to_have_count(0)
    assert forged_post(officer, "/controls/soa/decide/", {"decision": "approve", "rationale": ""}) == 403
    journey.goto(officer, "/decisions/?status=pending&kind=soa_version")
    journey.follow(officer, "Statement of Applicability version", exact=True)
    expect(officer.get_by_role("main")).to_contain_text(note)
    expect(officer.get_by_role("button", name="Record decision")).to_have_count(0)
    decision_path = officer.url.removeprefix(journey.base_url)
    assert forged_post(officer, f"{decision_path}decide/", {"decision": "approve", "rationale": "mine"}) == 403

    committee = journey.login("committee")
    waiting = committee.get_by_role("region", name="Decisions waiting for you")
    expect(waiting.get_by_role("link", name=re.compile("Statement of Applicability version"))).to_have_count(1)
    journey.goto(committee, "/controls/soa/")
    committee.get_by_label(label("Decision")).select_option("approve")
    committee.get_by_label(label("Rationale")).fill("The justification reads right.")
    journey.submit(committee, "Record the decision")
    expect(committee.get_by_role("status")).to_contain_text(re.compile(r"SoA version \d+ approved"))
    assert committee.url.endswith(version_path)

    journey.goto(officer, decision_path)
    expect(officer.locator("dl.facts")).to_contain_text("Approved")
    expect(officer.locator("dl.facts")).to_contain_text("Clara Chen")
