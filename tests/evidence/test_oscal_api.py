"""OSCAL assessment results over the API: a period in, a document GRC tools import out, the export audited."""

from __future__ import annotations

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent

URL = "/api/v1/evidence/oscal/assessment-results/"


def test_an_officer_exports_a_period_as_oscal_assessment_results(officer) -> None:
    response = officer.api().get(URL, {"date_from": "2026-11-01", "date_to": "2026-11-28"})
    assert response.status_code == 200
    document = response.json()["assessment-results"]
    assert document["metadata"]["title"]
    assert AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD, actor=officer.user).exists()


def test_a_period_that_ends_before_it_starts_is_refused_in_the_error_shape(officer) -> None:
    response = officer.api().get(URL, {"date_from": "2026-11-28", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()["error"]["fields"]


def test_a_missing_period_names_both_fields(auditor) -> None:
    response = auditor.api().get(URL)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"date_from", "date_to"}


def test_an_outsider_is_refused(outsider) -> None:
    assert outsider.api().get(URL, {"date_from": "2026-11-01", "date_to": "2026-11-28"}).status_code == 403
