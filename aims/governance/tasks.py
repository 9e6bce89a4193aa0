"""Periodic reminders of the management system, run by Celery beat. Each task is idempotent (reminders.py)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from aims.governance import reminders
from aims.governance.choices import ReminderKind


@shared_task(name="aims.governance.tasks.remind_reviews_due", soft_time_limit=240, time_limit=300)
def remind_reviews_due() -> int:
    """Documents, AI systems (registry next review date), and risks and impact assessments once they exist."""
    today = timezone.localdate()
    return (
        reminders.issue(reminders.document_reviews(today), kind=ReminderKind.DOCUMENT_REVIEW)
        + reminders.issue(reminders.system_reviews(today), kind=ReminderKind.SYSTEM_REVIEW)
        + reminders.issue(reminders.risk_reviews(today), kind=ReminderKind.RISK_REVIEW)
    )


@shared_task(name="aims.governance.tasks.remind_overdue_actions", soft_time_limit=240, time_limit=300)
def remind_overdue_actions() -> int:
    return reminders.issue(reminders.overdue_actions(timezone.localdate()), kind=ReminderKind.ACTION_OVERDUE)


@shared_task(name="aims.governance.tasks.remind_training_due", soft_time_limit=240, time_limit=300)
def remind_training_due() -> int:
    return reminders.issue(reminders.training_due(timezone.localdate()), kind=ReminderKind.TRAINING_DUE)


@shared_task(name="aims.governance.tasks.remind_incident_deadlines", soft_time_limit=240, time_limit=300)
def remind_incident_deadlines() -> int:
    return reminders.issue(reminders.incident_deadlines(timezone.now()), kind=ReminderKind.INCIDENT_DEADLINE)


@shared_task(name="aims.governance.tasks.remind_expiring_access", soft_time_limit=240, time_limit=300)
def remind_expiring_access() -> int:
    return reminders.issue(reminders.expiring_access(timezone.localdate()), kind=ReminderKind.ACCESS_EXPIRING)
