"""A run whose file has gone from storage answers 404 with a reason, on the page and the API, never 500."""

from __future__ import annotations

from django.core.files.base import ContentFile

from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun


def _done_run_without_its_file(user) -> ReportRun:
    run = ReportRun.objects.create(kind="register", parameters={}, requested_by=user)
    run.file.save("gone.pdf", ContentFile(b"%PDF-1.7"), save=False)
    run.status, run.sha256, run.size = RunStatus.DONE, "0" * 64, 8
    run.save()
    run.file.storage.delete(run.file.name)
    return run


def test_a_missing_report_file_answers_404_on_the_api(officer) -> None:
    run = _done_run_without_its_file(officer.user)
    response = officer.api().get(f"/api/v1/reports/{run.pk}/download/")
    assert response.status_code == 404
    assert "missing" in response.json()["error"]["message"]


def test_a_missing_report_file_answers_404_on_the_page(officer) -> None:
    run = _done_run_without_its_file(officer.user)
    assert officer.client().get(f"/reports/{run.pk}/download/").status_code == 404
