"""Real processes for fault tests and benchmarks: gunicorn, a Celery worker with beat, and a private Redis.

Everything binds to 127.0.0.1, runs on a database of its own, and is stopped by `close()` (or the context
manager), so a test or a benchmark never touches the machine's shared services or a developer's data.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OWNER_SNIPPET = (
    "from aims.accounts.models import User; "
    "User.objects.filter(username='gateway-owner').exists() or "
    "User.objects.create_user('gateway-owner', is_superuser=True)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Any, timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


class PrivateRedis:
    """A redis-server of our own on a free port, which a fault test may stop and start at will."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [  # noqa: S607  the machine's redis-server, found on PATH like the CI script finds it
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, 10, what="redis")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


@dataclass
class Stack:
    """A fresh database, migrated, with gunicorn and a Celery worker (and beat) serving it."""

    database_url: str
    redis_url: str | None = None
    web_workers: int = 2
    celery_concurrency: int = 1
    extra_env: dict[str, str] = field(default_factory=dict)
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="aims-stack-")))
    port: int = field(default_factory=free_port)
    web: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None
    redis: PrivateRedis | None = None
    last_headers: dict[str, str] = field(default_factory=dict)

    # --- life cycle --------------------------------------------------------------------------------------
    @classmethod
    def fresh_database(cls, base_url: str, name: str) -> str:
        """Drop and create `name` next to the database of `base_url`, and return its URL."""
        parts = urlsplit(base_url)
        admin = psycopg.connect(_conninfo(base_url, "postgres"), autocommit=True)
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        return parts._replace(path=f"/{name}").geturl()

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "AIMS_VAR_DIR": str(self.workdir / "var"),
            "AIMS_SWEEP_SECONDS": "2",
            "AIMS_SWEEP_AFTER_SECONDS": "3",
            "AIMS_LOG_LEVEL": "WARNING",
            **self.extra_env,
        }
        env.pop("AIMS_LOCAL_BROKER", None)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        else:
            env.pop("REDIS_URL", None)
        return env

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, check=check
        )

    def migrate(self) -> None:
        self.manage("migrate", "--no-input")
        # Sources need an owner; a fresh database has no user yet.
        self.manage("shell", "-c", OWNER_SNIPPET)

    def create_source(self, name: str, rate_per_minute: int = 120_000) -> str:
        result = self.manage("create_evidence_source", name, "--rate", str(rate_per_minute))
        return result.stdout.strip().splitlines()[-1]

    def start_web(self, *, wait_healthy: bool = True) -> None:
        log = (self.workdir / "web.log").open("a")
        self.web = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                "aims.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.web_workers),
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._healthy if wait_healthy else self._listening, 60, what="gunicorn")

    def start_worker(self) -> None:
        log = (self.workdir / "worker.log").open("a")
        self.worker = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "aims",
                "worker",
                "--beat",
                "--loglevel=WARNING",
                f"--concurrency={self.celery_concurrency}",
                "--without-gossip",
                "--without-mingle",
                f"--schedule={self.workdir / 'beat-schedule'}",
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill_worker(self) -> None:
        """SIGKILL the worker and its pool children: nothing gets to clean up."""
        if self.worker is not None:
            _kill_tree(self.worker.pid)
            self.worker.wait(10)
            self.worker = None

    def kill_web_workers(self) -> None:
        """SIGKILL gunicorn's worker processes (the ones serving requests); the master forks new ones."""
        if self.web is not None:
            for child in _children(self.web.pid):
                os.kill(child, signal.SIGKILL)

    def close(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                _kill_tree(process.pid)
                process.wait(10)
        self.web = self.worker = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- talking to it -----------------------------------------------------------------------------------
    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _healthy(self) -> bool:
        try:
            status, _ = self.request("GET", "/healthz", timeout=2)
        except OSError:
            return False
        return status == 200

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, dict[str, Any] | None]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
            self.last_headers = dict(response.getheaders())
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = None
            return response.status, payload
        finally:
            connection.close()

    def ingest(self, token: str, body: bytes, timeout: float = 60) -> tuple[int, dict[str, Any] | None]:
        return self.request(
            "POST",
            "/api/evidence/v1/events",
            body,
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=timeout,
        )

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(_conninfo(self.database_url)) as connection:
            return connection.execute(sql, params).fetchall()

    def verify(self) -> subprocess.CompletedProcess:
        return self.manage("verify_evidence", check=False)


def _conninfo(url: str, dbname: str | None = None) -> str:
    parts = urlsplit(url)
    name = dbname or parts.path.lstrip("/")
    user = parts.username or "postgres"
    password = f" password={parts.password}" if parts.password else ""
    return f"host={parts.hostname or '127.0.0.1'} port={parts.port or 5432} dbname={name} user={user}{password}"


def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(  # noqa: S603
            ["pgrep", "-P", str(pid)],  # noqa: S607  procps' pgrep from PATH
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    except FileNotFoundError:
        return []
    return [int(line) for line in out.split()]


def _kill_tree(pid: int) -> None:
    for child in _children(pid):
        _kill_tree(child)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
