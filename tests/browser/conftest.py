"""Fixtures of the browser journeys (CI's `browser` stage: `pytest -m browser tests/browser`).

One live portal, migrated and seeded once for the whole session; one headless Chromium (Debian's, never a
downloaded one); a `journey` per test whose pages are all checked (see harness.Journey).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, sync_playwright

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Journey,
    LiveServer,
    artifacts_dir,
    in_ci,
    unused_waivers,
)

MARKER = "browser: drives the live portal in Chromium (CI's browser stage: pytest -m browser tests/browser)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Until the default `addopts` leaves them out, a plain `pytest` must not start a browser stage of its own.
    if "browser" in (config.option.markexpr or "") and "not browser" not in config.option.markexpr:
        return
    skip = pytest.mark.skip(reason="browser journeys run only when selected: pytest -m browser tests/browser")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        message = (
            f"Chromium is not installed at {CHROMIUM}; the browser journeys need Debian's package "
            "(`apt-get install -y chromium`; CI's browser stage installs it)."
        )
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser_artifacts() -> Iterator[Path]:
    path = artifacts_dir()
    (path / "waived.txt").unlink(missing_ok=True)
    yield path
    with (path / "waived.txt").open("a") as out:
        for waiver in unused_waivers():
            out.write(f"not needed in this run (delete if fixed): {waiver.rule} on {waiver.path} ({waiver.owner})\n")


@pytest.fixture(scope="session")
def portal(chromium_path: str, browser_artifacts: Path) -> Iterator[LiveServer]:
    server = LiveServer(browser_artifacts)
    try:
        server.setup()
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # executable_path: Debian's Chromium; Playwright never downloads a browser here.
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    # axe-core ships inside the wheel (axe_playwright_python/axe.min.js): nothing is fetched at run time.
    return Axe()


@pytest.fixture
def journey(request: pytest.FixtureRequest, browser: Browser, portal: LiveServer, axe: Axe) -> Iterator[Journey]:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    shots = artifacts_dir() / name
    shots.mkdir(parents=True, exist_ok=True)
    for old in shots.glob("*.png"):
        old.unlink()
    journey = Journey(browser=browser, base_url=portal.base_url, name=name, shots=shots, axe=axe)
    try:
        yield journey
    finally:
        journey.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A journey fails on whatever its pages showed wrong, even when every assertion of its own held."""
    journey = getattr(item, "funcargs", {}).get("journey")
    try:
        result = yield
    except BaseException:
        if journey is not None and journey.problems:
            item.add_report_section("call", "journey problems", "\n".join(journey.problems))
        raise
    if journey is not None:
        journey.assert_clean()
    return result
