"""Personas and clients shared by every test.

Personas: officer, owner, committee (and a second committee member for four-eyes cases), auditor, expired
auditor, outsider (logged in, no role), anonymous; administrator for the admin. Each has a personal API token.
Later issues add the ingestion-token persona.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from aims.accounts.choices import Role
from aims.accounts.models import ApiToken, User, hash_token
from tests.factories import OrganisationProfileFactory, UserFactory

PERSONAS = ["officer", "owner", "committee", "auditor", "expired_auditor", "outsider", "anonymous", "ingestion"]


@dataclass
class Persona:
    name: str
    user: User | None
    token: str | None
    scheme: str = "Token"

    def client(self) -> Client:
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client

    def api(self) -> APIClient:
        client = APIClient()
        if self.token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"{self.scheme} {self.token}")
        return client


def _token_for(user: User) -> str:
    # Made directly, not through the service, so that an expired account can still hold a token to refuse.
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, name="test", prefix=key[:13], key_hash=hash_token(key))
    return key


def _persona(name: str, roles: list[str], **extra: object) -> Persona:
    user = UserFactory(username=name, roles=roles, **extra)
    return Persona(name, user, _token_for(user))


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    # PBKDF2 at its production cost would dominate the suite's run time; the hasher is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings) -> None:
    # Rendered dashboard panels are cached per user id and period; ids repeat across tests, so a cached page
    # could belong to another test's data. tests/dashboard/test_cache.py turns the cache on where it is tested.
    settings.AIMS_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    # Uploaded evidence goes to a per-test folder, never into a developer's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(db) -> Persona:
    return _persona("officer", [Role.OFFICER])


@pytest.fixture
def officer2(db) -> Persona:
    return _persona("officer2", [Role.OFFICER])


@pytest.fixture
def owner(db) -> Persona:
    return _persona("owner", [Role.OWNER])


@pytest.fixture
def committee(db) -> Persona:
    return _persona("committee", [Role.COMMITTEE])


@pytest.fixture
def committee2(db) -> Persona:
    return _persona("committee2", [Role.COMMITTEE])


@pytest.fixture
def auditor(db) -> Persona:
    return _persona("auditor", [Role.AUDITOR], access_expires_on=timezone.localdate() + timedelta(days=30))


@pytest.fixture
def expired_auditor(db) -> Persona:
    return _persona("expired_auditor", [Role.AUDITOR], access_expires_on=timezone.localdate() - timedelta(days=1))


@pytest.fixture
def outsider(db) -> Persona:
    return _persona("outsider", [])


@pytest.fixture
def administrator(db) -> Persona:
    return _persona("administrator", [Role.ADMINISTRATOR], is_staff=True)


@pytest.fixture
def anonymous(db) -> Persona:
    return Persona("anonymous", None, None)


@pytest.fixture
def evidence_source(db):
    """A registered gateway deployment, owned by a governance officer."""
    from evidence import services as evidence_services

    owner = UserFactory(username="source-owner", roles=[Role.OFFICER])
    return evidence_services.create_source(user=owner, name="litellm-prod", owner=owner, check_permission=False)


@pytest.fixture
def ingestion(evidence_source) -> Persona:
    """The ingestion-token persona: a gateway holding its source's bearer token, and no user at all."""
    from evidence import services as evidence_services

    _, key = evidence_services.issue_source_token(
        source=evidence_source, user=evidence_source.owner, check_permission=False
    )
    return Persona("ingestion", None, key, scheme="Bearer")


@pytest.fixture
def persona(request: pytest.FixtureRequest):
    """Indirect fixture: parametrize with a persona name to get that persona."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def profile(db):
    return OrganisationProfileFactory()


def postgres_configured() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


def require_postgres() -> None:
    """Skip a PostgreSQL-only test (partitions, roles) on SQLite, or fail it when CI requires services."""
    if postgres_configured():
        return
    if os.environ.get("AIMS_REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
        pytest.fail("AIMS_REQUIRE_SERVICES=1: needs DATABASE_URL (PostgreSQL)")
    pytest.skip("needs DATABASE_URL (PostgreSQL)")


def services_configured() -> bool:
    return bool(os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL"))


def require_services() -> None:
    """Skip a test that needs the real stack, or fail it when CI says the stack must be there."""
    if services_configured():
        return
    message = "needs DATABASE_URL (PostgreSQL) and REDIS_URL"
    if os.environ.get("AIMS_REQUIRE_SERVICES", "") in {"1", "true", "yes"}:
        pytest.fail(f"AIMS_REQUIRE_SERVICES=1: {message}")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _inline_tasks_unless_a_worker_runs(request: pytest.FixtureRequest):
    """Tasks run inline by default, even when a broker is configured; a test that asks for `celery_worker`
    sends them through Redis to the real worker instead."""
    from aims.celery import app

    eager = "celery_worker" not in request.fixturenames
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = eager
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real Celery worker process on Redis, connected to the test database."""
    require_services()
    import subprocess
    import sys
    import time

    from django.conf import settings
    from django.db import connection

    from aims.celery import app

    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}:{port}/{db['NAME']}"
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "aims",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--hostname=pytest@%h",
        ],
        env={**os.environ, "DATABASE_URL": url},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the Celery worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Use in a test that needs its tasks run by the real worker; the test's data is committed for it."""
    return celery_worker_process


def wait_for(condition, timeout: float = 30.0, interval: float = 0.2) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()
