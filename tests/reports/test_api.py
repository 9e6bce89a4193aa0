"""The reports API per persona: ask (202 with the run), follow status and progress, list with a count,
download with an audit record carrying the file's SHA-256, and the one error shape for every refusal."""

from __future__ import annotations

import hashlib

from django.urls import reverse

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun
from tests.reports.factories import done_run, queued_run

LIST = reverse("api:report-run-list")


def test_an_officer_asks_for_a_report_and_follows_it_to_the_download(officer, django_capture_on_commit_callbacks):
    api = officer.api()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(LIST, {"kind": "objectives", "parameters": {}}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0
    assert body["download_url"] is None
    assert response["Location"] == body["url"]

    for callback in callbacks:
        callback()
    detail = api.get(body["url"]).json()
    assert detail["status"] == "done" and detail["progress"] == 100
    assert detail["pages"] >= 4
    download = api.get(detail["download_url"])
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == detail["sha256"] == download["X-Content-SHA256"]
    assert "attachment" in download["Content-Disposition"]


def test_the_list_carries_a_count_and_the_runs_a_person_may_see(officer, owner, auditor):
    done_run(officer.user)
    queued_run(owner.user)
    assert officer.api().get(LIST).json()["count"] == 2
    assert auditor.api().get(LIST).json()["count"] == 2
    owners = owner.api().get(LIST).json()
    assert owners["count"] == 1
    assert owners["results"][0]["requested_by"]["username"] == "owner"


def test_an_auditor_downloads_a_pack_and_the_audit_trail_records_who_when_and_the_hash(officer, auditor):
    run = done_run(officer.user, kind="evidence-pack", content=b"PK\x05\x06" + b"\x00" * 18)
    response = auditor.api().get(reverse("api:report-run-download", kwargs={"pk": run.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content).startswith(b"PK")
    event = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD, actor=auditor.user)
    assert event.details["sha256"] == run.sha256
    assert event.details["run"] == run.pk
    assert event.subject_id == str(run.pk) and event.subject_type == "reports.reportrun"
    assert event.at is not None


def test_an_expired_auditor_can_neither_ask_nor_download(officer, expired_auditor):
    run = done_run(officer.user)
    api = expired_auditor.api()
    assert api.post(LIST, {"kind": "objectives"}, format="json").status_code == 401
    assert api.get(reverse("api:report-run-download", kwargs={"pk": run.pk})).status_code == 401
    assert not AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD).exists()


def test_refusals_answer_the_error_shape_naming_the_field(officer, owner, outsider):
    api = officer.api()
    unknown = api.post(LIST, {"kind": "payroll"}, format="json")
    assert unknown.status_code == 400
    assert "kind" in unknown.json()["error"]["fields"]
    backwards = api.post(
        LIST, {"kind": "incidents", "parameters": {"date_from": "2026-05-02", "date_to": "2026-05-01"}}, format="json"
    )
    assert backwards.status_code == 400
    assert "parameters.date_from" in backwards.json()["error"]["fields"]
    extra = api.post(LIST, {"kind": "soa", "parameters": {"colour": "red"}}, format="json")
    assert extra.status_code == 400
    assert "parameters.colour" in extra.json()["error"]["fields"]
    foreign = api.post(LIST, {"kind": "soa", "parameters": {"date_from": "2026-01-01"}}, format="json")
    assert foreign.status_code == 400
    pack = owner.api().post(LIST, {"kind": "evidence-pack"}, format="json")
    assert pack.status_code == 403
    assert pack.json()["error"]["code"] == "permission_denied"
    assert outsider.api().post(LIST, {"kind": "objectives"}, format="json").status_code == 403
    assert ReportRun.objects.count() == 0


def test_a_run_not_done_has_no_download(officer):
    run = queued_run(officer.user)
    response = officer.api().get(reverse("api:report-run-download", kwargs={"pk": run.pk}))
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_the_kinds_list_shows_what_each_person_may_ask_for(owner, auditor):
    owners = {k["key"]: k for k in owner.api().get(reverse("api:report-kind-list")).json()}
    auditors = {k["key"] for k in auditor.api().get(reverse("api:report-kind-list")).json()}
    assert "evidence-pack" not in owners and "objectives" in owners
    assert "evidence-pack" in auditors
    assert owners["soa"]["params"] == ["as_of"]


def test_the_schema_documents_the_reports_api_and_its_errors(officer):
    schema = officer.api().get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    post = schema["paths"]["/api/v1/reports/"]["post"]
    assert {"202", "400", "401", "403"} <= set(post["responses"])
    download = schema["paths"]["/api/v1/reports/{id}/download/"]["get"]
    assert "404" in download["responses"]
    assert RunStatus.DONE in str(schema["components"]["schemas"]["ReportRun"])


def test_an_auditor_asks_for_an_evidence_pack_and_downloads_the_zip(auditor, django_capture_on_commit_callbacks):
    import io
    import zipfile

    from tests.reports.pdftext import pdf_text

    api = auditor.api()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(LIST, {"kind": "evidence-pack", "parameters": {"seed": 42}}, format="json")
    assert response.status_code == 202
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert run.status == RunStatus.DONE, run.error
    assert run.parameters["seed"] == 42
    download = api.get(reverse("api:report-run-download", kwargs={"pk": run.pk}))
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == run.sha256
    with zipfile.ZipFile(io.BytesIO(data)) as pack:
        names = set(pack.namelist())
        assert {"summary.pdf", "manifest.json", "verify.py"} <= names
        summary = pdf_text(pack.read("summary.pdf"))
    assert "Evidence pack" in summary and "with the seed 42" in summary
    event = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD, actor=auditor.user)
    assert event.details["sha256"] == run.sha256
