"""The report framework: a run row first, the task after commit, status and progress, the file's hash, and
failures kept on the row. Rendering is real WeasyPrint; kinds with little data keep it quick."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from aims.core.exceptions import NotAllowed, ServiceError
from aims.reports import kinds, rendering, services
from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun


def test_asking_saves_a_queued_run_and_renders_only_after_commit(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = services.request_report(user=officer.user, kind="objectives")
    run.refresh_from_db()
    assert run.status == RunStatus.QUEUED
    assert run.progress == 0
    assert not run.file
    assert len(callbacks) == 1

    callbacks[0]()

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.progress == 100
    assert run.started_at <= run.finished_at
    assert run.pages >= 4


def test_a_finished_run_describes_its_file_exactly(officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_report(user=officer.user, kind="incidents", parameters={"date_from": "2026-01-01"})
    run.refresh_from_db()
    data = run.file.read()
    assert data.startswith(b"%PDF-")
    assert run.sha256 == hashlib.sha256(data).hexdigest()
    assert run.size == len(data)
    assert len(run.data_sha256) == 64
    assert run.parameters["date_from"] == "2026-01-01"
    assert run.file.name.startswith("reports/")


def test_a_failing_render_is_recorded_as_failed_and_the_row_is_kept(officer, monkeypatch, caplog):
    spec = kinds.get("objectives")
    monkeypatch.setitem(kinds._load(), "objectives", replace(spec, template="reports/pdf/no-such-template.html"))
    run = ReportRun.objects.create(kind="objectives", requested_by=officer.user)

    services.execute(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "TemplateDoesNotExist" in run.error
    assert run.finished_at is not None
    assert not run.file
    assert ReportRun.objects.filter(pk=run.pk).exists()


def test_a_refusal_while_rendering_is_shown_in_its_own_words(officer, monkeypatch):
    def refuse(params, user):
        raise ServiceError("The period is not signed yet.")

    monkeypatch.setitem(kinds._load(), "objectives", replace(kinds.get("objectives"), build_context=refuse))
    run = ReportRun.objects.create(kind="objectives", requested_by=officer.user)

    services.execute(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "The period is not signed yet."


def test_a_requester_who_lost_the_right_before_rendering_gets_a_failed_run(officer):
    run = ReportRun.objects.create(kind="objectives", requested_by=officer.user)
    officer.user.groups.clear()
    officer.user = type(officer.user).objects.get(pk=officer.user.pk)  # drop the cached permissions

    services.execute(run.pk)

    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "may not" in run.error


def test_a_run_is_claimed_once_so_a_redelivered_task_does_nothing(officer):
    run = ReportRun.objects.create(kind="objectives", requested_by=officer.user)
    assert services.execute(run.pk).status == RunStatus.DONE
    first = ReportRun.objects.get(pk=run.pk).sha256

    assert services.execute(run.pk) is None
    assert services.execute(999_999) is None
    assert ReportRun.objects.get(pk=run.pk).sha256 == first


def test_unknown_kinds_and_bad_parameters_are_refused_naming_the_field(officer):
    with pytest.raises(ServiceError) as unknown:
        services.request_report(user=officer.user, kind="payroll")
    assert "kind" in unknown.value.fields
    with pytest.raises(ServiceError) as backwards:
        services.request_report(
            user=officer.user, kind="incidents", parameters={"date_from": "2026-05-02", "date_to": "2026-05-01"}
        )
    assert "parameters.date_from" in backwards.value.fields
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    with pytest.raises(ServiceError) as ahead:
        services.request_report(user=officer.user, kind="soa", parameters={"as_of": future})
    assert "parameters.as_of" in ahead.value.fields
    with pytest.raises(ServiceError) as foreign:
        services.request_report(user=officer.user, kind="soa", parameters={"date_from": "2026-01-01"})
    assert "parameters.date_from" in foreign.value.fields
    with pytest.raises(ServiceError) as garbage:
        services.request_report(user=officer.user, kind="soa", parameters={"as_of": "yesterday"})
    assert "parameters.as_of" in garbage.value.fields
    assert ReportRun.objects.count() == 0


def test_people_without_the_read_rights_of_a_kind_cannot_ask_for_it(owner, outsider):
    with pytest.raises(NotAllowed):
        services.request_report(user=owner.user, kind="evidence-pack")
    with pytest.raises(NotAllowed):
        services.request_report(user=outsider.user, kind="objectives")
    assert services.request_report(user=owner.user, kind="objectives").status == RunStatus.QUEUED


def test_the_data_hash_depends_on_the_data_not_on_when_it_was_rendered(officer):
    spec = kinds.get("incidents")
    params = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
    _, first = rendering.build_document(spec, params, officer.user, generated_at=timezone.now())
    _, later = rendering.build_document(spec, params, officer.user, generated_at=timezone.now() + timedelta(hours=3))
    _, other = rendering.build_document(spec, {**params, "date_to": "2026-01-30"}, officer.user)
    assert first["data_sha256"] == later["data_sha256"]
    assert first["data_sha256"] != other["data_sha256"]
    assert first["generated_at"] != later["generated_at"]


def test_the_sweeper_requeues_lost_runs_and_fails_runs_whose_worker_died(officer, django_capture_on_commit_callbacks):
    lost = ReportRun.objects.create(kind="objectives", requested_by=officer.user)
    dead = ReportRun.objects.create(
        kind="objectives", requested_by=officer.user, status=RunStatus.RUNNING, progress=40
    )
    old = timezone.now() - timedelta(hours=2)
    ReportRun.objects.filter(pk__in=[lost.pk, dead.pk]).update(created_at=old, started_at=old)

    from aims.reports.tasks import sweep_report_runs

    assert sweep_report_runs() == 1

    lost.refresh_from_db()
    dead.refresh_from_db()
    assert lost.status == RunStatus.DONE
    assert dead.status == RunStatus.FAILED
    assert "stopped" in dead.error
