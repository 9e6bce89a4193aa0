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

PERSONAS = ["officer", "owner", "committee", "auditor", "expired_auditor", "outsider", "anonymous"]


@dataclass
class Persona:
    name: str
    user: User | None
    token: str | None

    def client(self) -> Client:
        client = Client()
        if self.user is not None:
            client.force_login(self.user)
        return client

    def api(self) -> APIClient:
        client = APIClient()
        if self.token is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.token}")
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
def persona(request: pytest.FixtureRequest):
    """Indirect fixture: parametrize with a persona name to get that persona."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def profile(db):
    return OrganisationProfileFactory()


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
