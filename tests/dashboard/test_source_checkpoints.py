"""The sources panel shows the latest signed checkpoint of each source and whether its signature and body
verify, without reading the event table."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence import checkpoints
from tests.evidence.checkpoint_helpers import (
    at,
    days_ago,
    ingest_on,
    key_file,  # noqa: F401  autouse: a fresh signing key, no sinks
    tamper,
)


@pytest.fixture
def signed_days(evidence_source):
    for n in (3, 2, 1):
        ingest_on(evidence_source, at(days_ago(n), 10))
    checkpoints.sign_due_checkpoints()
    return evidence_source


@pytest.mark.django_db
def test_the_latest_checkpoint_is_shown_as_verified(officer, signed_days) -> None:
    client = officer.client()
    with CaptureQueriesContext(connection) as queries:
        row = client.get("/dashboard/").context["sources"]["rows"][0]
    state = row["checkpoint"]
    assert state["checkpoint"].day == days_ago(1) and state["checkpoint"].count == 2
    assert state["verified"] is True and state["problems"] == []
    assert not [q for q in queries.captured_queries if re.search(r"\bevidence_event\b", q["sql"])]


@pytest.mark.django_db
def test_an_altered_checkpoint_shows_as_not_verifying(officer, signed_days) -> None:
    tamper("evidence_checkpoint", "UPDATE evidence_checkpoint SET count = 7 WHERE day = %s", [days_ago(1)])
    response = officer.client().get("/dashboard/")
    state = response.context["sources"]["rows"][0]["checkpoint"]
    assert state["verified"] is False
    assert any("count differs from the signed body" in p for p in state["problems"])
    assert "does not verify" in response.content.decode()
