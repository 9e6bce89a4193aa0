"""The journeys' checks can fail: a page with an inline script (CSP), a console error, an answer >= 400 and an
image without a text alternative are each reported, and an expected refusal that never comes fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser

from tests.browser.harness import Journey, LiveServer

pytestmark = pytest.mark.browser


def test_the_checks_report_csp_violations_console_errors_error_answers_and_axe_violations(
    browser: Browser, portal: LiveServer, axe: Axe, tmp_path: Path
) -> None:
    journey = Journey(browser=browser, base_url=portal.base_url, name="self-check", shots=tmp_path, axe=axe)
    try:
        page = journey.page("anonymous")
        journey.goto(page, "/accounts/login/")
        assert journey.problems == []
        # An inline script, refused by script-src 'self'.
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = '1;'; document.body.append(s); }"
        )
        page.wait_for_timeout(500)
        page.evaluate("console.error('boom')")
        page.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/img/favicon.svg\">')"
        )
        journey.check(page)
        page.goto("/no-such-page/")
        page.wait_for_function("() => document.readyState === 'complete'")
        with pytest.raises(AssertionError, match="expected a 403"), journey.refusal("^/accounts/login/$", 403):
            journey.goto(page, "/accounts/login/")
    finally:
        journey.close()
    found = "\n".join(journey.problems)
    assert "CSP violation" in found and "script-src" in found, found
    assert "console error" in found and "boom" in found, found
    assert "axe image-alt" in found, found
    assert "404 on GET" in found and "/no-such-page/" in found, found
