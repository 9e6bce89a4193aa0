"""Writes of the reports app: asking for a report, running it, and recording each download.

A run row is saved first and its task enqueued after commit (STYLE.md 10); the task claims the row with a
conditional update so that a redelivered task never renders twice. Whatever goes wrong while rendering is kept on
the row as `failed` with a message: the row is never lost.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files import File
from django.db import connection, connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.exceptions import NotAllowed, ServiceError
from aims.reports import kinds, rendering
from aims.reports.choices import RunStatus
from aims.reports.kinds.base import KindSpec, Params, validate_parameters
from aims.reports.models import ReportRun

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024


def spec_for(kind: str, user: Any) -> KindSpec:
    spec = kinds.get(kind)
    if spec is None:
        raise ServiceError("Unknown report kind.", fields={"kind": [f"“{kind}” is not a report kind."[:200]]})
    if not spec.may_request(user):
        raise NotAllowed("You may not ask for this report.")
    return spec


@transaction.atomic
def request_report(*, user: Any, kind: str, parameters: Params | None = None) -> ReportRun:
    """Record the run, queued, and hand it to the worker once the transaction commits."""
    spec = spec_for(kind, user)
    params = validate_parameters(spec, parameters)
    run = ReportRun(kind=spec.key, parameters=params, requested_by=user)
    run.full_clean()
    run.save()
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def enqueue(run_id: int) -> None:
    """Send the run to the worker. The row is already committed, so a broker outage leaves it queued for the
    sweeper instead of failing the request that asked for it."""
    from aims.reports.tasks import render_report

    try:
        render_report.delay(run_id)
    except Exception:  # kombu and redis raise several unrelated types for "broker unreachable"
        if getattr(render_report.app.conf, "task_always_eager", False):
            raise
        log.warning("reports: could not enqueue run %s; the sweeper will retry it", run_id, exc_info=True)


def set_progress(run_id: int, value: int) -> None:
    # An update outside any transaction: the page polling the run sees it at once.
    progress = max(0, min(99, int(value)))
    if connection.vendor == "postgresql" and connection.in_atomic_block and _in_read_only_transaction():
        # An evidence pack reads in one read-only snapshot, where an UPDATE is refused: write from a thread,
        # which has a database connection of its own and commits at once.
        writer = threading.Thread(target=_write_progress_and_close, args=(run_id, progress))
        writer.start()
        writer.join()
        return
    _write_progress(run_id, progress)


def _write_progress(run_id: int, progress: int) -> None:
    ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(progress=progress)


def _write_progress_and_close(run_id: int, progress: int) -> None:
    try:
        _write_progress(run_id, progress)
    finally:
        connections.close_all()


def _in_read_only_transaction() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_read_only")
        return cursor.fetchone()[0] == "on"


def _file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def produce(
    spec: KindSpec,
    params: Params,
    user: Any,
    out: Path,
    *,
    reference: str = "",
    progress: Callable[[int], None] | None = None,
) -> rendering.Rendered:
    """Render the kind to `out`: the PDF itself, or what the kind assembles around it (an evidence pack)."""
    rendered = rendering.render(spec, params, user, reference=reference, progress=progress)
    if spec.assemble is None:
        out.write_bytes(rendered.pdf)
    else:

        def scaled(value: int) -> None:
            # The pack writer reports 0-100 of its own work, which is the last fifth of the run.
            if progress:
                progress(80 + int(max(0, min(100, value)) * 0.19))

        spec.assemble(params=params, user=user, summary_pdf=rendered.pdf, out=out, progress=scaled)
    return rendered


def execute(run_id: int) -> ReportRun | None:
    """Render a queued run. Returns None when the run is gone or another worker already claimed it."""
    now = timezone.now()
    claimed = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, progress=5
    )
    if not claimed:
        return None
    run = ReportRun.objects.select_related("requested_by").get(pk=run_id)
    try:
        # Rights are checked again at render time: an auditor whose access ended since asking gets nothing.
        spec = spec_for(run.kind, run.requested_by)
        storage = run.file.storage
        name = storage.get_available_name(run.file.field.generate_filename(run, run.download_name))
        try:
            final: Path | None = Path(storage.path(name))
            final.parent.mkdir(parents=True, exist_ok=True)
        except NotImplementedError:  # a storage without local paths: render to a temporary file and upload it
            final = None
        with tempfile.TemporaryDirectory(prefix="aims-report-", dir=final.parent if final else None) as folder:
            out = Path(folder) / run.download_name
            rendered = produce(
                spec,
                run.parameters,
                run.requested_by,
                out,
                reference=f"Report run {run.pk}",
                progress=lambda value: set_progress(run.pk, value),
            )
            sha256, size = _file_digest(out)
            if final is not None:
                # Moved, not copied: an evidence pack may be hundreds of megabytes.
                out.replace(final)
                run.file.name = name
            else:
                with out.open("rb") as handle:
                    run.file.save(run.download_name, File(handle), save=False)
        ReportRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE,
            progress=100,
            file=run.file.name,
            sha256=sha256,
            size=size,
            data_sha256=rendered.data_sha256,
            pages=rendered.pages,
            finished_at=timezone.now(),
            error="",
        )
    except Exception as exc:
        mark_failed(run.pk, exc)
        if run.file:
            run.file.delete(save=False)
    run.refresh_from_db()
    return run


def failure_message(exc: BaseException) -> str:
    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, SoftTimeLimitExceeded):
        return "The report took longer than its time limit; ask for a shorter period."
    return f"The report could not be rendered ({type(exc).__name__}). The error is in the worker's log."


def mark_failed(run_id: int, exc: BaseException) -> None:
    if not isinstance(exc, ServiceError):
        log.error("reports: run %s failed", run_id, exc_info=exc)
    ReportRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, error=failure_message(exc)[:4000], finished_at=timezone.now()
    )


def stale_runs(*, queued_for: timedelta, running_for: timedelta) -> tuple[list[int], int]:
    """Queued runs whose task was lost (to enqueue again), and running runs past any time limit (marked
    failed: their worker died). Returns (ids to enqueue, number failed)."""
    now = timezone.now()
    queued = list(
        ReportRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=now - queued_for).values_list("pk", flat=True)
    )
    failed = ReportRun.objects.filter(status=RunStatus.RUNNING, started_at__lt=now - running_for).update(
        status=RunStatus.FAILED,
        error="The worker rendering this report stopped before it finished. Ask for it again.",
        finished_at=now,
    )
    return queued, failed


def record_download(*, run: ReportRun, user: Any, request: HttpRequest | None = None) -> None:
    """The audit trail row of a download: who, when (the row's time) and the SHA-256 of the file sent."""
    if run.status != RunStatus.DONE or not run.file:
        raise ServiceError("The report is not ready.")
    audit.record(
        AuditKind.DOWNLOAD,
        actor=user,
        request=request,
        subject=run,
        summary=f"Downloaded {run.get_kind_display()} report {run.download_name}",
        details={"run": run.pk, "kind": run.kind, "sha256": run.sha256, "size": run.size, "file": run.download_name},
    )
