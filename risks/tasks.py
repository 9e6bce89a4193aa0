"""Periodic work of the risks app. Each task calls a service and is idempotent, so a repeated run does no harm.

Beat schedule (aims/settings.py CELERY_BEAT_SCHEDULE):
    "risks-reopen-expired-acceptances": {"task": "risks.tasks.reopen_expired_acceptances",
                                         "schedule": crontab(minute=5, hour="*")},
    "risks-reconcile-impact-assessments": {"task": "risks.tasks.reconcile_impact_assessments",
                                           "schedule": crontab(minute=35, hour="*")},
"""

from __future__ import annotations

from celery import shared_task

from risks import services


@shared_task(name="risks.tasks.reopen_expired_acceptances", time_limit=300, soft_time_limit=290)
def reopen_expired_acceptances() -> dict[str, int]:
    """Reopen risks whose acceptance has expired; apply acceptance decisions made on the generic endpoint."""
    synced = services.sync_decided_acceptances()
    reopened = services.reopen_expired_acceptances()
    return {"reopened": len(reopened), "synced": synced}


@shared_task(name="risks.tasks.reconcile_impact_assessments", time_limit=300, soft_time_limit=290)
def reconcile_impact_assessments() -> dict[str, int]:
    """Mark impact assessments due whose system changed (purpose, tier, approved models) by any path."""
    return {"marked": len(services.reconcile_impact_assessments())}
