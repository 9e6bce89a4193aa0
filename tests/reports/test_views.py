"""Report pages per persona: the list with the request form, a run's page with its progress, the download."""

from __future__ import annotations

import re

from django.urls import reverse

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun
from tests.reports.factories import done_run, queued_run

INDEX = reverse("reports:index")


def test_an_officer_asks_for_a_report_on_the_page_and_lands_on_its_run(officer, django_capture_on_commit_callbacks):
    client = officer.client()
    page = client.get(INDEX)
    assert page.status_code == 200
    assert b"Ask for a report" in page.content and b"Evidence pack" in page.content

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(INDEX, {"kind": "incidents", "date_from": "2026-01-01", "as_of": "2026-02-01"})
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", kwargs={"pk": run.pk})
    # The as-of date is not a parameter of the incidents report: the form leaves it out rather than refusing.
    assert run.parameters["date_from"] == "2026-01-01" and "as_of" not in run.parameters

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"<progress" in detail.content
    assert b"reports/run.js" in detail.content
    assert not re.search(rb"<script(?![^>]*\bsrc=)", detail.content), "inline scripts are forbidden by the CSP"


def test_a_finished_run_offers_its_file_and_the_download_is_audited(officer, committee):
    run = done_run(officer.user)
    detail = committee.client().get(reverse("reports:detail", kwargs={"pk": run.pk}))
    assert detail.status_code == 200
    assert run.sha256.encode() in detail.content
    assert b"<progress" not in detail.content
    response = committee.client().get(reverse("reports:download", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert (event.actor, event.details["sha256"]) == (committee.user, run.sha256)


def test_a_failed_run_shows_why(officer):
    run = queued_run(officer.user)
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="The period is not signed yet.")
    page = officer.client().get(reverse("reports:detail", kwargs={"pk": run.pk}))
    assert b"The period is not signed yet." in page.content
    assert officer.client().get(reverse("reports:download", kwargs={"pk": run.pk})).status_code == 404


def test_owners_see_only_the_runs_they_asked_for_and_cannot_ask_for_packs(officer, owner):
    queued_run(officer.user, kind="soa")
    mine = queued_run(owner.user, kind="register")
    page = owner.client().get(INDEX)
    assert page.status_code == 200
    assert f"AI system register #{mine.pk}".encode() in page.content
    assert b"Statement of Applicability #" not in page.content
    assert b'value="evidence-pack"' not in page.content
    refused = owner.client().post(INDEX, {"kind": "evidence-pack"})
    assert refused.status_code == 400
    assert ReportRun.objects.count() == 2


def test_bad_parameters_show_on_the_form(officer):
    response = officer.client().post(INDEX, {"kind": "incidents", "date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.status_code == 400
    assert b"The period must start on or before its end." in response.content
    assert ReportRun.objects.count() == 0


def test_outsiders_are_refused_and_expired_auditors_sent_to_log_in(officer, outsider, expired_auditor):
    run = done_run(officer.user)
    assert outsider.client().get(INDEX).status_code == 403
    assert outsider.client().get(reverse("reports:download", kwargs={"pk": run.pk})).status_code == 403
    response = expired_auditor.client().get(reverse("reports:download", kwargs={"pk": run.pk}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD).exists()
