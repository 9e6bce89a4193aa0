"""Personas of the security tests: the shared ones, plus a second system owner (whose objects the first one
must not change) and a chair who holds both the officer's and the committee's roles, so that the four-eyes
rule, not a missing permission, is what stops them deciding their own request."""

from __future__ import annotations

import pytest

from aims.accounts.choices import Role
from tests.conftest import Persona, _persona
from tests.factories import OrganisationProfileFactory


@pytest.fixture
def owner2(db) -> Persona:
    return _persona("owner2", [Role.OWNER])


@pytest.fixture
def chair(db) -> Persona:
    return _persona("chair", [Role.OFFICER, Role.COMMITTEE])


@pytest.fixture
def people(officer, owner, owner2, committee, committee2, chair, auditor, expired_auditor, outsider) -> dict:
    OrganisationProfileFactory()
    return {
        p.name: p for p in (officer, owner, owner2, committee, committee2, chair, auditor, expired_auditor, outsider)
    }
