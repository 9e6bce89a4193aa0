"""Report runs for tests that need one without rendering it."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile

from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun

PDF_BYTES = b"%PDF-1.7\n% a stand-in file: the download path streams bytes, it does not render\n%%EOF\n"


def done_run(user: Any, *, kind: str = "objectives", content: bytes = PDF_BYTES) -> ReportRun:
    run = ReportRun.objects.create(kind=kind, requested_by=user, parameters={}, status=RunStatus.QUEUED)
    run.file.save(run.download_name, ContentFile(content), save=False)
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE,
        progress=100,
        file=run.file.name,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        data_sha256="0" * 64,
        pages=5,
    )
    run.refresh_from_db()
    return run


def queued_run(user: Any, *, kind: str = "objectives") -> ReportRun:
    return ReportRun.objects.create(kind=kind, requested_by=user, parameters={})
