"""CSV exports cannot smuggle a formula into a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from aims.core.csv import safe_cell
from tests.factories import DecisionFactory


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("http://x")'])
def test_it_defuses_cells_that_a_spreadsheet_would_evaluate(value: str) -> None:
    assert safe_cell(value).startswith("'")
    assert safe_cell(value)[1:] == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [("plain", "plain"), (-3, "-3"), (2.5, "2.5"), (None, ""), (True, "yes"), (date(2026, 1, 2), "2026-01-02")],
)
def test_it_leaves_ordinary_values_alone(value: object, expected: str) -> None:
    assert safe_cell(value) == expected


def test_the_decision_export_defuses_a_hostile_note(officer) -> None:
    DecisionFactory(requested_by=officer.user, request_note='=HYPERLINK("http://evil.test","click")')
    response = officer.client().get(reverse("core:decision-export"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="decisions.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "kind", "subject"]
    note = rows[1][rows[0].index("request_note")]
    assert note.startswith("'=HYPERLINK")


def test_the_decision_export_follows_the_list_filters(officer) -> None:
    DecisionFactory(requested_by=officer.user, status="pending")
    response = officer.client().get(reverse("core:decision-export") + "?status=approved")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1
