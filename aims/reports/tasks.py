"""Background work of the reports app. Tasks take ids, refetch, and are safe to run twice.

Rendering a large report or pack grows a worker process by hundreds of megabytes (WeasyPrint's layout tree,
fonts, the pack's buffers), and CPython rarely gives that memory back. Celery has no per-task "recycle the child
after me" switch (`worker_max_tasks_per_child` and `worker_max_memory_per_child` apply to a whole worker), so the
report task is routed to its own queue, `reports` (settings CELERY_TASK_ROUTES), consumed by a worker started with
`--max-tasks-per-child=1`: each child renders one report and is replaced. `--max-memory-per-child` on the general
worker is the safety net when reports share it (docs/reports.md, Workers).
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from aims.reports import services

TIME_LIMIT = int(getattr(settings, "AIMS_REPORT_TIME_LIMIT", 900))
QUEUE = "reports"


@shared_task(name="reports.tasks.render_report", soft_time_limit=TIME_LIMIT - 15, time_limit=TIME_LIMIT)
def render_report(run_id: int) -> str | None:
    run = services.execute(run_id)
    return run.status if run is not None else None


@shared_task(name="reports.tasks.sweep_report_runs")
def sweep_report_runs() -> int:
    """Re-enqueue runs whose task was lost, and fail runs whose worker died mid-render."""
    after = timedelta(seconds=int(getattr(settings, "AIMS_SWEEP_AFTER_SECONDS", 60)))
    queued, _failed = services.stale_runs(queued_for=after, running_for=timedelta(seconds=TIME_LIMIT + 60))
    for run_id in queued:
        services.enqueue(run_id)
    return len(queued)
