"""The browser journeys' harness: a live portal with its own database and worker, and checked pages.

`LiveServer` migrates and seeds a database of its own once (PostgreSQL `aims_browser_e2e` next to DATABASE_URL
when that is PostgreSQL, else SQLite under a temporary AIMS_VAR_DIR), then runs `manage.py runlocal`: the
development server plus a real Celery worker and beat on the file-system broker, as `make run` does, so report
rendering and pack building run in the background for real.

`Journey` drives one browser context per persona and checks every page it visits: no WCAG 2.2 AA violation
(axe), no console error, no CSP violation, no failed request and no response >= 400 other than the refusals a
journey expects, each of which it asserts. A screenshot of every checked page is kept for CI.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, Request, Response

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AIMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "aims-demo-2026"  # aims/accounts/demo.py; printed by seed_demo on purpose
E2E_DATABASE = "aims_browser_e2e"

# Reports a CSP violation to the test through an exposed binding, before any page script runs.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  if (window.__aimsCspViolation) {
    window.__aimsCspViolation({directive: e.violatedDirective, blocked: e.blockedURI,
                               source: e.sourceFile, line: e.lineNumber, page: location.href});
  }
});
"""


@dataclass(frozen=True)
class Waiver:
    """A violation on a page this session does not own, reported to its owner and tolerated until fixed: an exact
    axe rule on the elements (`target`, a regular expression over axe's selector) of the pages whose path matches.
    Each use is written to the artifacts' waived.txt in every run."""

    rule: str
    path: str
    target: str
    owner: str
    fix: str


# Empty this list as the owners fix them; a waiver that no longer matches anything is reported as stale.
WAIVERS: list[Waiver] = []


USED_WAIVERS: set[Waiver] = set()


def unused_waivers() -> list[Waiver]:
    """Waivers no page of this run needed: fixed by their owners (or their pages not visited), so to delete."""
    return [waiver for waiver in WAIVERS if waiver not in USED_WAIVERS]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def artifacts_dir() -> Path:
    """CI keeps $AIMS_CI_ARTIFACTS (or artifacts/); the journeys write under its browser/ folder."""
    root = Path(os.environ.get("AIMS_CI_ARTIFACTS") or REPO / "artifacts")
    path = root / "browser"
    path.mkdir(parents=True, exist_ok=True)
    return path


def in_ci() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("AIMS_CI"))


# --- the live portal ---------------------------------------------------------------------------------------------


class LiveServer:
    """A portal of its own: database, var dir, development server and local worker, all torn down after."""

    def __init__(self, log_dir: Path) -> None:
        # AIMS_BROWSER_SOURCE runs another checkout (e.g. an export of HEAD) with this venv; CI runs this one.
        self.source = Path(os.environ.get("AIMS_BROWSER_SOURCE") or REPO)
        self.log_path = log_dir / "live-server.log"
        self.process: subprocess.Popen | None = None
        # AIMS_BROWSER_URL: a portal already running (with AIMS_VAR_DIR/DATABASE_URL naming its data), to re-run
        # the journeys while writing them without seeding again.
        self.external = os.environ.get("AIMS_BROWSER_URL")
        if self.external:
            self.var_dir = Path(os.environ["AIMS_VAR_DIR"])
            self.base_url = self.external.rstrip("/")
            self.database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{self.var_dir / 'aims.sqlite3'}"
            return
        self.workdir = Path(tempfile.mkdtemp(prefix="aims-browser-"))
        self.var_dir = self.workdir / "var"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database_url = self._database_url()

    def _database_url(self) -> str:
        base = os.environ.get("DATABASE_URL", "")
        if base.startswith(("postgres://", "postgresql://")):
            import psycopg

            parts = urlsplit(base)
            with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{E2E_DATABASE}" WITH (FORCE)')
                admin.execute(f'CREATE DATABASE "{E2E_DATABASE}"')
            return urlunsplit(parts._replace(path=f"/{E2E_DATABASE}"))
        return f"sqlite:///{self.var_dir / 'aims.sqlite3'}"

    def env(self, *, worker: bool = False) -> dict[str, str]:
        """The portal's environment. Only the served portal (`worker`) gets the local broker: set-up runs tasks
        inline, as `make setup-demo` does, so the worker does not start with the demo's whole backlog."""
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AIMS_VAR_DIR": str(self.var_dir),
            "AIMS_MEDIA_ROOT": str(self.var_dir / "media"),
            "AIMS_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        # The worker runs on the file-system broker under the var dir: nobody else's Redis queue.
        for name in ("REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE", "AIMS_2FA_REQUIRED_ROLES"):
            env.pop(name, None)
        if worker:
            env["AIMS_LOCAL_BROKER"] = "1"
        else:
            env.pop("AIMS_LOCAL_BROKER", None)
        return env

    def manage(self, *args: str, timeout: float = 600) -> str:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=self.source,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        with self.log_path.open("a") as log:
            log.write(f"$ manage.py {' '.join(args)}\n{result.stdout}{result.stderr}")
            log.write(f"({time.monotonic() - started:.1f}s)\n")
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def shell(self, code: str) -> str:
        return self.manage("shell", "-c", code)

    def setup(self) -> None:
        self.log_path.write_text("")
        if self.external:
            return
        self.manage("migrate", "--no-input")
        self.manage("seed_demo")

    def start(self) -> None:
        if self.external:
            return
        log = self.log_path.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runlocal", "--addrport", f"127.0.0.1:{self.port}"],
            cwd=self.source,
            env=self.env(worker=True),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the worker goes down with it
        )
        started = time.monotonic()
        deadline = started + 180  # a shared CI machine can be slow to start a Celery worker
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the live server exited:\n{self.log_path.read_text()[-4000:]}")
            if self._answers() and "ready." in self.log_path.read_text():
                with self.log_path.open("a") as log:
                    log.write(f"(server and worker up in {time.monotonic() - started:.1f}s)\n")
                return
            time.sleep(0.5)
        raise RuntimeError(f"the live server did not come up:\n{self.log_path.read_text()[-4000:]}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/accounts/login/", timeout=2) as answer:  # noqa: S310
                return answer.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.external:
            return
        if self.process is not None:
            # The whole group, even when runlocal itself has gone: its worker must not outlive the stage.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            time.sleep(1)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.workdir, ignore_errors=True)


# --- checked pages -----------------------------------------------------------------------------------------------


@dataclass
class Expected:
    """A refusal the journey provokes on purpose: a response with `status` whose path matches `path`."""

    path: re.Pattern[str]
    status: int
    seen: int = 0


@dataclass(repr=False)
class Journey:
    """One test's personas, each in a browser context of its own, and everything wrong seen on their pages."""

    browser: Browser
    base_url: str
    name: str
    shots: Path
    axe: Axe
    problems: list[str] = field(default_factory=list)
    expected: list[Expected] = field(default_factory=list)
    contexts: list[BrowserContext] = field(default_factory=list)
    checked: int = 0
    log: list[str] = field(default_factory=list, repr=False)
    waived: list[str] = field(default_factory=list)
    _navigations: dict[int, int] = field(default_factory=dict)
    _checked_at: dict[int, int] = field(default_factory=dict)

    # -- set-up ---------------------------------------------------------------------------------------------------

    def page(self, persona: str) -> Page:
        """A fresh browser context for `persona`, with every check wired in (not logged in)."""
        context = self.browser.new_context(base_url=self.base_url, accept_downloads=True, locale="en-GB")
        context.set_default_timeout(15_000)
        context.expose_binding("__aimsCspViolation", lambda source, info: self._csp(persona, info))
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: self._console(persona, page, message))
        page.on("pageerror", lambda error: self.problems.append(f"[{persona}] script error on {page.url}: {error}"))
        page.on("requestfailed", lambda request: self._failed(persona, request))
        page.on("response", lambda response: self._response(persona, response))
        page.on("framenavigated", lambda frame: self._navigated(page, frame))
        return page

    def login(self, persona: str, username: str | None = None, password: str = DEMO_PASSWORD) -> Page:
        """`persona` logs in through the real login form and lands on the home page."""
        page = self.page(persona)
        self.goto(page, "/accounts/login/")
        page.get_by_label("Username").fill(username or persona)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path == "/", f"{persona} did not land on the home page: {page.url}"
        self.check(page)
        return page

    # -- driving --------------------------------------------------------------------------------------------------

    def goto(self, page: Page, path: str) -> Response | None:
        response = page.goto(path)
        self.check(page)
        return response

    def submit(self, page: Page, button: str, *, exact: bool = False) -> None:
        """Click the submit button named `button` and check the page the form leads to."""
        with page.expect_navigation():
            page.get_by_role("button", name=button, exact=exact).click()
        self.check(page)

    def follow(self, page: Page, link: str, *, exact: bool = False, within: str = "main") -> None:
        with page.expect_navigation():
            page.locator(within).get_by_role("link", name=link, exact=exact).first.click()
        self.check(page)

    def click(self, page: Page, target: Locator) -> None:
        """Click a link or button that leads to another page, and check that page."""
        with page.expect_navigation():
            target.click()
        self.check(page)

    @contextlib.contextmanager
    def refusal(self, path: str, status: int) -> Iterator[Expected]:
        """Inside the block, a `status` answer on a path matching `path` is expected, and must happen."""
        expected = Expected(re.compile(path), status)
        self.expected.append(expected)
        try:
            yield expected
        finally:
            self.expected.remove(expected)
        assert expected.seen, f"expected a {status} on {path}, none came"

    # -- checks ---------------------------------------------------------------------------------------------------

    def check(self, page: Page) -> None:
        """Axe (WCAG 2.2 AA) on the page as it is now, and a screenshot of it."""
        page.wait_for_load_state()
        started = time.monotonic()
        results = self.axe.run(
            page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
        )
        path = urlsplit(page.url).path
        for violation in results.response["violations"]:
            nodes = [" ".join(node["target"]) for node in violation["nodes"]]
            waived = [n for n in nodes if self._waived(violation["id"], path, n)]
            unwaived = [n for n in nodes if n not in waived]
            if unwaived:
                self.problems.append(
                    f"axe {violation['id']} ({violation['impact']}) on {path}: {'; '.join(unwaived[:5])} "
                    f"- {violation['help']}"
                )
        self.checked += 1
        slug = re.sub(r"[^a-z0-9]+", "-", urlsplit(page.url).path.lower()).strip("-") or "home"
        page.screenshot(path=str(self.shots / f"{self.checked:02d}-{slug}.png"), full_page=True)
        self.log.append(f"{time.strftime('%H:%M:%S')} checked {page.url} in {time.monotonic() - started:.1f}s")
        self._checked_at[id(page)] = self._navigations.get(id(page), 0)

    def _waived(self, rule: str, path: str, target: str) -> bool:
        for waiver in WAIVERS:
            if waiver.rule == rule and re.search(waiver.path, path) and re.fullmatch(waiver.target, target):
                USED_WAIVERS.add(waiver)
                self.waived.append(f"{rule} on {path}: {target} (owner: {waiver.owner}; fix: {waiver.fix})")
                return True
        return False

    def _navigated(self, page: Page, frame: Any) -> None:
        if frame != page.main_frame:
            return
        key = id(page)
        count = self._navigations.get(key, 0)
        if count > self._checked_at.get(key, 0):
            self.problems.append(f"a page was left unchecked before {frame.url}")
        self._navigations[key] = count + 1

    def _expected(self, url: str, status: int) -> bool:
        path = urlsplit(url).path
        for expected in self.expected:
            if expected.status == status and expected.path.search(path):
                expected.seen += 1
                return True
        return False

    def _response(self, persona: str, response: Response) -> None:
        if response.status >= 400 and not self._expected(response.url, response.status):
            self.problems.append(f"[{persona}] {response.status} on {response.request.method} {response.url}")

    def _failed(self, persona: str, request: Request) -> None:
        failure = request.failure or ""
        # A download the browser hands over, or a navigation that replaced a still-loading request, is not a fault.
        if "ERR_ABORTED" in failure and request.is_navigation_request():
            return
        self.problems.append(f"[{persona}] request failed: {request.method} {request.url} ({failure})")

    def _console(self, persona: str, page: Page, message: ConsoleMessage) -> None:
        if message.type not in ("error", "assert"):
            return
        text = message.text
        # Chromium echoes every >= 400 answer as a console error; those are judged by their response above.
        if re.match(r"Failed to load resource: the server responded with a status of \d{3}", text):
            return
        self.problems.append(f"[{persona}] console {message.type} on {page.url}: {text}")

    def _csp(self, persona: str, info: dict[str, Any]) -> None:
        self.problems.append(f"[{persona}] CSP violation: {json.dumps(info, sort_keys=True)}")

    def close(self) -> None:
        (self.shots / "pages.log").write_text("\n".join(self.log) + "\n")
        if self.waived:
            with (self.shots.parent / "waived.txt").open("a") as out:
                out.writelines(f"{self.name}: {line}\n" for line in sorted(set(self.waived)))
        for context in self.contexts:
            with contextlib.suppress(Exception):
                context.close()

    def assert_clean(self) -> None:
        assert not self.problems, f"{self.name}: {len(self.problems)} problems:\n" + "\n".join(self.problems)


def wait_for(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def label(text: str) -> re.Pattern[str]:
    """A field's label exactly, whether or not it carries the required-field star."""
    return re.compile(rf"^\s*{re.escape(text)}(\s*\*)?\s*$")
