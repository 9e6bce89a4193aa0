"""Auditors read and never write; expired auditors are refused everywhere, exactly as an anonymous visitor is.

These tests read the authorization matrix (tests/matrix.py, every route of the project), whose rows
tests/test_authorization_matrix.py runs persona by persona: what a row declares is what the route answers. So a
new write route that lets an auditor through fails here unless it is one of the personal, non-governance writes
listed below with its reason (test_object_scoping.py also runs the refusals on each owned record).
"""

from __future__ import annotations

import pytest

from tests.matrix import Row, all_rows

ROWS = all_rows()
WRITES = [row for row in ROWS if row.method in {"post", "put", "patch", "delete"}]

# Writes an auditor may make: their own account and session, a concern anyone may raise, and asking for a report
# (read-only output of what they already read; the evidence pack is theirs to take away).
AUDITOR_SELF_SERVICE = {
    "accounts:logout": "ends their own session",
    "accounts:two-factor-disable": "their own second factor",
    "accounts:two-factor-recovery": "their own recovery codes",
    "accounts:sessions-end-others": "their own other sessions",
    "api:aims-concern-list": "any logged-in person may raise a concern (A.3.3)",
    "reports:index": "asks for a report of what they read",
    "api:report-run-list": "asks for a report or an evidence pack of what they read",
}


def test_the_matrix_has_write_rows_to_check() -> None:
    assert len(WRITES) > 50


@pytest.mark.parametrize("row", WRITES, ids=lambda r: f"{r.method}:{r.route}")
def test_no_write_route_lets_an_auditor_change_the_management_system(row: Row) -> None:
    status = row.expected("auditor")
    if row.route in AUDITOR_SELF_SERVICE:
        return
    assert status >= 400, f"{row.method.upper()} {row.route} lets an auditor write (answers {status})"
    # 401: gateway routes take a source token, never a person's.
    assert status in {401, 403, 404, 405}, f"{row.route}: an auditor gets {status}, expected a refusal"


def test_the_self_service_list_names_only_routes_that_exist() -> None:
    assert set(AUDITOR_SELF_SERVICE) <= {row.route for row in WRITES}


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method}:{r.route}")
def test_an_expired_auditor_gets_what_an_anonymous_visitor_gets(row: Row) -> None:
    assert row.expected("expired_auditor") == row.expected("anonymous"), row.route
