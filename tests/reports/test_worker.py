"""A report rendered by a real Celery worker on Redis and PostgreSQL: the request commits the run, the worker
claims it after commit, reports progress, and leaves a finished run whose file matches its SHA-256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun
from tests.conftest import wait_for

pytestmark = pytest.mark.services


def test_the_worker_renders_a_requested_report(celery_worker, officer) -> None:
    response = officer.api().post(reverse("api:report-run-list"), {"kind": "objectives"}, format="json")
    assert response.status_code == 202
    run_id = response.json()["id"]

    assert wait_for(lambda: ReportRun.objects.get(pk=run_id).is_finished, timeout=120)

    run = ReportRun.objects.get(pk=run_id)
    assert run.status == RunStatus.DONE, run.error
    assert run.progress == 100 and run.pages >= 4
    # The worker writes under its own MEDIA_ROOT (the environment's), not this test's temporary one.
    media = Path(os.environ.get("AIMS_MEDIA_ROOT") or Path(settings.VAR_DIR) / "media")
    data = (media / run.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == run.sha256
    assert data.startswith(b"%PDF-")
    (media / run.file.name).unlink()
