"""Progress of an evidence pack is written while the pack reads in a read-only snapshot (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from aims.reports import services
from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_from_inside_a_read_only_snapshot(officer) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("read-only transactions are PostgreSQL's")
    run = ReportRun.objects.create(kind="evidence-pack", parameters={}, requested_by=officer.user)
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        services.set_progress(run.pk, 42)
    run.refresh_from_db()
    assert run.progress == 42
