"""Authorization matrix rows of the dashboard (tests/matrix.py explains the columns).

Officers, the committee and auditors read the dashboard and every AI system's page; owners only the page of the
systems they own (a second row on the officer's system shows the refusal); outsiders get nothing; anonymous and
expired auditors are sent to the login page.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.matrix import Row
from tests.registry.factories import AISystemFactory

DASHBOARD_READERS = {"officer": 200, "committee": 200, "auditor": 200}


def owners_system(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": AISystemFactory(owner=personas["owner"].user).pk}


def officers_system(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": AISystemFactory(owner=personas["officer"].user).pk}


ROWS: list[Row] = [
    Row("dashboard:index", allowed=DASHBOARD_READERS),
    Row("dashboard:system", kwargs=owners_system, allowed={**DASHBOARD_READERS, "owner": 200}),
    Row("dashboard:system", kwargs=officers_system, allowed=DASHBOARD_READERS),
]
