"""Background work of the evidence app. Tasks take ids, refetch, and are safe to run twice."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from evidence import partitions, services


@shared_task(
    name="evidence.tasks.expand_batch",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=60,
    max_retries=20,
)
def expand_batch(batch_id: str) -> int:
    return services.expand_batch(batch_id)


@shared_task(name="evidence.tasks.sweep_pending_batches")
def sweep_pending_batches() -> int:
    """Re-enqueue batches whose task was lost (a broker restart, a worker killed before it acked)."""
    ids = services.stale_pending_batches(older_than=timedelta(seconds=settings.AIMS_SWEEP_AFTER_SECONDS))
    for batch_id in ids:
        expand_batch.delay(batch_id)
    return len(ids)


@shared_task(name="evidence.tasks.ensure_partitions")
def ensure_partitions() -> list[str]:
    return partitions.ensure_partitions(months_ahead=3)


@shared_task(name="evidence.tasks.sign_checkpoints")
def sign_checkpoints() -> int:
    """Sign each source's due days (beat, daily after midnight UTC, and again later for delayed days)."""
    from evidence import checkpoints

    return len(checkpoints.sign_due_checkpoints())


@shared_task(name="evidence.tasks.push_checkpoints")
def push_checkpoints() -> dict[str, int]:
    """Deliver signed checkpoints to the external sinks; failed pushes are retried with backoff on later runs."""
    from evidence import checkpoints

    return checkpoints.push_due()


from evidence import checks as _checks  # noqa: E402, F401  registers the check tasks
