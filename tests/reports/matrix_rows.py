"""Authorization matrix rows of the report pages and API (tests/test_authorization_matrix.py runs them).

Officers, the committee and auditors see every run; owners only their own, so an officer's run is a 404 to them;
outsiders are refused; anonymous and expired users go to the login page (pages) or get 401 (API)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.matrix import ROLE_HOLDERS, Row, allowed_for
from tests.reports.factories import done_run, queued_run

READ_ALL = ["officer", "committee", "auditor"]


def officers_queued_run(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": queued_run(personas["officer"].user).pk}


def officers_done_run(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": done_run(personas["officer"].user).pk}


ROWS: list[Row] = [
    Row("reports:index", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("reports:index", method="post", data={"kind": "objectives"}, allowed=allowed_for(302, ROLE_HOLDERS)),
    Row("reports:detail", kwargs=officers_queued_run, allowed={**allowed_for(200, READ_ALL), "owner": 404}),
    Row("reports:download", kwargs=officers_done_run, allowed={**allowed_for(200, READ_ALL), "owner": 404}),
    Row("api:report-run-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "api:report-run-list",
        api=True,
        method="post",
        data={"kind": "objectives", "parameters": {}},
        allowed=allowed_for(202, ROLE_HOLDERS),
    ),
    Row("api:report-kind-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "api:report-run-detail",
        api=True,
        kwargs=officers_queued_run,
        allowed={**allowed_for(200, READ_ALL), "owner": 404},
    ),
    Row(
        "api:report-run-download",
        api=True,
        kwargs=officers_done_run,
        allowed={**allowed_for(200, READ_ALL), "owner": 404},
    ),
]
