"""Journey (a): a governance officer registers an AI system with a use case and a model, classifies it under the
EU AI Act, and finds it in the register and in its history (ISO/IEC 42001 A.4, A.6)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Journey, label

pytestmark = pytest.mark.browser


def test_officer_registers_classifies_and_finds_a_system_in_register_and_history(journey: Journey) -> None:
    tag = uuid.uuid4().hex[:6]
    name = f"Claims triage assistant {tag}"
    key = f"claims-triage-{tag}"
    page = journey.login("officer")

    journey.goto(page, "/register/")
    journey.follow(page, "Register an AI system")
    # An empty form comes back with its errors (checked with axe like every page), nothing is saved.
    with journey.refusal(r"^/register/systems/new/$", 400):
        journey.submit(page, "Save")
    expect(page.get_by_role("alert").first).to_contain_text("Please correct the errors below")
    expect(page.locator(".has-error").first).to_be_visible()
    page.get_by_label(label("Name")).fill(name)
    page.get_by_label("Purpose").fill("Sorts incoming insurance claims by urgency for the claims team.")
    page.get_by_label(label("Owner")).select_option(label="Omar Ortega")
    page.get_by_label("Business unit").fill("Claims")
    page.get_by_label("AI role").select_option("deployer")
    page.get_by_label("Deployment").select_option("vendor_saas")
    page.get_by_label("Next review").fill((date.today() + timedelta(days=180)).isoformat())
    page.get_by_label("Human oversight").select_option("on_the_loop")
    page.get_by_label("Reason").fill("New system for the claims team")
    journey.submit(page, "Save")

    # Registering leads straight to the EU AI Act questionnaire.
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"EU AI Act classification: {name}")
    page.get_by_label("Art. 50(1)").check()
    journey.submit(page, "Classify")
    expect(page.get_by_role("status")).to_contain_text("Classified as")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    journey.follow(page, "Add a use case")
    page.get_by_label("Key").fill(key)
    page.get_by_label(label("Name")).fill("Claim urgency triage")
    page.get_by_label("Personal data", exact=True).check()
    page.get_by_label("Redaction required").check()
    page.get_by_label("PII: E-mail address").select_option("mask")
    journey.submit(page, "Save")
    expect(page.get_by_role("heading", level=1)).to_contain_text(key)

    journey.goto(page, "/register/models/new/")
    page.get_by_label("Provider").fill("Mistral AI")
    page.get_by_label("Gateway name").fill(f"mistral-small-{tag}")
    page.get_by_label("Hosting region").fill("eu-west")
    page.get_by_label(key).check()
    journey.submit(page, "Save")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"mistral-small-{tag}")

    journey.goto(page, f"/register/?q={tag}")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name))
    expect(row).to_contain_text("Omar Ortega")
    expect(row).to_contain_text("Limited")
    journey.follow(page, name)
    expect(page.get_by_role("main")).to_contain_text(key)
    journey.follow(page, "History", exact=True)
    history = page.locator("ol.history")
    expect(history).to_contain_text("New system for the claims team")
    expect(history.get_by_role("listitem")).to_have_count(2)
