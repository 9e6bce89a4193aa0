"""The authorization matrix's vocabulary: a Row per route and method, with the status each persona gets.

The platform's rows are below. Each app adds its rows in `tests/<app>/matrix_rows.py` as a list named `ROWS`;
`all_rows()` gathers them, and tests/test_authorization_matrix.py runs every row for every persona.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import tests
from tests.conftest import PERSONAS, Persona
from tests.factories import DecisionFactory

Kwargs = Callable[[dict[str, Persona]], dict[str, Any]]

ROLE_HOLDERS = ["officer", "owner", "committee", "auditor"]
DECISION_READERS = ["officer", "committee", "auditor"]


@dataclass
class Row:
    route: str
    method: str = "get"
    allowed: dict[str, int] = field(default_factory=dict)
    kwargs: Kwargs | None = None
    data: dict[str, Any] | None = None
    api: bool = False

    def expected(self, persona: str) -> int:
        if persona in self.allowed:
            return self.allowed[persona]
        if persona in {"anonymous", "expired_auditor", "ingestion"}:
            return 401 if self.api else 302
        return 403


def allowed_for(code: int, names: list[str] = PERSONAS) -> dict[str, int]:
    return dict.fromkeys(names, code)


def pending_decision(personas: dict[str, Persona]) -> dict[str, Any]:
    # Requested by the second officer, so that the committee persona may decide it and the officer persona
    # may withdraw it (withdrawal is open to requesters, not only to the one who asked).
    return {"pk": DecisionFactory(requested_by=personas["officer2"].user).pk}


def own_token(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": personas["officer"].user.api_tokens.first().pk}


ROWS: list[Row] = [
    # --- pages ------------------------------------------------------------------------------------------
    Row("home", allowed=allowed_for(200, [*ROLE_HOLDERS, "outsider"])),
    Row("healthz", allowed=allowed_for(200)),
    Row(
        "accounts:login",
        allowed={
            **allowed_for(302, [*ROLE_HOLDERS, "outsider"]),
            "anonymous": 200,
            "expired_auditor": 200,
            "ingestion": 200,
        },
    ),
    Row("accounts:logout", method="post", allowed=allowed_for(302)),
    Row("accounts:tokens", allowed=allowed_for(200, [*ROLE_HOLDERS, "outsider"])),
    # Only the officer owns this token; for anyone else it does not exist.
    Row(
        "accounts:token-revoke",
        method="post",
        kwargs=own_token,
        allowed={"officer": 302, **allowed_for(404, ["owner", "committee", "auditor", "outsider"])},
    ),
    Row("core:decision-list", allowed=allowed_for(200, DECISION_READERS)),
    Row("core:decision-export", allowed=allowed_for(200, DECISION_READERS)),
    Row("core:decision-detail", kwargs=pending_decision, allowed=allowed_for(200, DECISION_READERS)),
    Row(
        "core:decision-decide",
        method="post",
        kwargs=pending_decision,
        data={"decision": "approve", "rationale": "ok"},
        allowed={"committee": 302},
    ),
    Row("governance:organisation", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("governance:organisation-edit", allowed={"officer": 200}),
    Row("governance:organisation-history", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("governance:organisation-request-approval", method="post", data={"note": "please"}, allowed={"officer": 302}),
    # --- API ----------------------------------------------------------------------------------------------
    Row("api:schema", api=True, allowed=allowed_for(200, [*ROLE_HOLDERS, "outsider"])),
    Row("api:docs", api=True, allowed=allowed_for(200, [*ROLE_HOLDERS, "outsider"])),
    Row("api:me", api=True, allowed=allowed_for(200, [*ROLE_HOLDERS, "outsider"])),
    Row("api:decision-list", api=True, allowed=allowed_for(200, DECISION_READERS)),
    Row("api:decision-detail", api=True, kwargs=pending_decision, allowed=allowed_for(200, DECISION_READERS)),
    Row(
        "api:decision-approve",
        api=True,
        method="post",
        kwargs=pending_decision,
        data={"rationale": "fine"},
        allowed={"committee": 200},
    ),
    Row(
        "api:decision-reject",
        api=True,
        method="post",
        kwargs=pending_decision,
        data={"rationale": "not yet"},
        allowed={"committee": 200},
    ),
    Row("api:decision-withdraw", api=True, method="post", kwargs=pending_decision, allowed={"officer": 200}),
    Row("api:organisation", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "api:organisation",
        api=True,
        method="patch",
        data={"purpose": "Changed through the API."},
        allowed={"officer": 200},
    ),
    Row(
        "api:organisation-request-approval", api=True, method="post", data={"note": "please"}, allowed={"officer": 201}
    ),
]


def all_rows() -> list[Row]:
    rows = list(ROWS)
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            name = f"tests.{module.name}.matrix_rows"
            try:
                rows.extend(import_module(name).ROWS)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise
    return rows
