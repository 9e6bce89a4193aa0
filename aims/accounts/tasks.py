"""Periodic account housekeeping, run by Celery beat."""

from celery import shared_task
from django.core.management import call_command

from aims.accounts import services


@shared_task(name="aims.accounts.tasks.end_expired_access")
def end_expired_access() -> int:
    return services.end_expired_access()


@shared_task(name="aims.accounts.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Django's expired sessions, then the "Your sessions" records past AIMS_SESSION_RECORD_DAYS."""
    call_command("clearsessions")
    return services.purge_session_records()
