"""Journey (f): an auditor asks for an evidence pack, follows its progress, downloads it, and is refused every
edit (ISO/IEC 42001 9.2; auditors have time-boxed read-only access)."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.harness import Journey, label

pytestmark = pytest.mark.browser

PACK_TIMEOUT_MS = 180_000  # built by the live server's own worker, on a shared CI machine


def forged_post(page: Page, path: str, form: dict[str, str]) -> int:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return page.request.post(path, form=form, headers={"X-CSRFToken": token}, max_redirects=0).status


def test_auditor_downloads_an_evidence_pack_with_progress_shown_and_is_refused_any_edit(journey: Journey) -> None:
    auditor = journey.login("auditor")
    journey.follow(auditor, "Reports", exact=True, within="header nav")
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    auditor.get_by_label(label("Report")).select_option("evidence-pack")
    auditor.get_by_label(label("From")).fill(f"{yesterday - timedelta(days=2):%Y-%m-%d}")
    auditor.get_by_label(label("To")).fill(f"{yesterday:%Y-%m-%d}")
    journey.submit(auditor, "Ask for the report")
    expect(auditor.get_by_role("heading", level=1)).to_contain_text("Evidence pack #")
    run_path = auditor.url.removeprefix(journey.base_url)

    # Progress is shown while the worker builds it (unless it was already done by the time the page loaded).
    box = auditor.locator("#run-status")
    if box.get_attribute("data-finished") == "false":
        expect(auditor.get_by_label("Progress")).to_be_visible()
        expect(box.get_by_role("status")).to_contain_text("%")
    # The page reloads itself once the run has finished, done or failed.
    expect(auditor.locator('#run-status[data-finished="true"]')).to_be_attached(timeout=PACK_TIMEOUT_MS)
    journey.check(auditor)  # the page the run reloaded itself into
    status = box.get_by_role("status").inner_text()
    error = auditor.locator("dl.facts dd.error")
    assert "Done" in status, f"the pack run ended {status!r}: {error.inner_text() if error.count() else ''}"
    download_link = auditor.get_by_role("link", name=re.compile(r"^Download .*\.zip$"))
    expect(auditor.locator("dl.facts")).to_contain_text("SHA-256 of the file")

    with auditor.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as pack:
        names = pack.namelist()
    assert any(name.endswith("verify.py") for name in names), names

    # Read-only: no edit offered, and edits asked for by hand are refused.
    journey.goto(auditor, "/register/")
    expect(auditor.get_by_role("link", name="Register an AI system")).to_have_count(0)
    journey.click(auditor, auditor.locator("main table tbody").get_by_role("link").first)
    expect(auditor.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    system_path = auditor.url.removeprefix(journey.base_url)
    with journey.refusal(r"^/register/systems/\d+/edit/$", 403):
        journey.goto(auditor, f"{system_path}edit/")
    with journey.refusal(r"^/risks/new/$", 403):
        journey.goto(auditor, "/risks/new/")
    assert forged_post(auditor, "/controls/soa/request/", {"note": "auditor"}) == 403
    assert forged_post(auditor, "/policies/draft/request-publication/", {"note": "auditor"}) == 403
    journey.goto(auditor, run_path)
