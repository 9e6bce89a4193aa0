"""Reminders: what falls due for whom, made idempotent by the Reminder row (one per user, kind, subject, date).

Each `collect_*` function yields candidate reminders; `issue()` creates the rows that do not exist yet and
mails only those, so a task that runs every hour (or twice, after a retry) never sends the same mail twice.
Models of other apps (risks) are read through `apps.get_model` and skipped until they exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from aims.governance.choices import ActionStatus, IncidentStatus, ReminderKind
from aims.governance.models import (
    CorrectiveAction,
    Document,
    Incident,
    Reminder,
    ReviewAction,
    TrainingRecord,
)

LEAD_DAYS = 14  # remind this many days before a review, refresher or access expiry falls due


@dataclass(frozen=True)
class Due:
    user: Any
    kind: str
    subject_key: str
    subject_label: str
    url: str
    due_on: date


def document_reviews(today: date) -> Iterator[Due]:
    for doc in Document.objects.filter(next_review_on__lte=today + timedelta(days=LEAD_DAYS)).select_related("owner"):
        url = reverse("governance:document-detail", kwargs={"pk": doc.pk})
        yield Due(doc.owner, ReminderKind.DOCUMENT_REVIEW, f"document:{doc.pk}", str(doc), url, doc.next_review_on)


def system_reviews(today: date) -> Iterator[Due]:
    system_model = apps.get_model("registry", "AISystem")
    horizon = today + timedelta(days=LEAD_DAYS)
    for system in (
        system_model.objects.filter(next_review_on__lte=horizon).exclude(status="retired").select_related("owner")
    ):
        url = reverse("registry:system-detail", kwargs={"pk": system.pk})
        yield Due(
            system.owner, ReminderKind.SYSTEM_REVIEW, f"aisystem:{system.pk}", str(system), url, system.next_review_on
        )


# Reviews the risks app keeps: (model, its review-date field, the path to the person to remind, what counts as
# finished). Read through
# the app registry, since governance reads every app but imports none of their code.
RISK_REVIEWS = (
    ("risks.Risk", "review_on", "owner", {"status": "closed"}),
    ("risks.ImpactAssessment", "next_review_on", "ai_system__owner", {}),
)


def risk_reviews(today: date) -> Iterator[Due]:
    """Risks and impact assessments whose review falls due, for their owner (the system's, for assessments)."""
    horizon = today + timedelta(days=LEAD_DAYS)
    for label, date_field, person_path, finished in RISK_REVIEWS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        rows = model.objects.filter(**{f"{date_field}__lte": horizon}).exclude(**finished).select_related(person_path)
        for obj in rows:
            person = obj
            for part in person_path.split("__"):
                person = getattr(person, part)
            yield Due(
                person,
                ReminderKind.RISK_REVIEW,
                f"{model._meta.model_name}:{obj.pk}",
                str(obj)[:255],
                "",
                getattr(obj, date_field),
            )


def overdue_actions(today: date) -> Iterator[Due]:
    for action in CorrectiveAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=today).select_related("owner"):
        url = reverse("governance:nonconformity-detail", kwargs={"pk": action.nonconformity_id})
        yield Due(
            action.owner, ReminderKind.ACTION_OVERDUE, f"correctiveaction:{action.pk}", str(action), url, action.due_on
        )
    for action in ReviewAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=today).select_related("owner"):
        url = reverse("governance:review-detail", kwargs={"pk": action.review_id})
        yield Due(
            action.owner, ReminderKind.ACTION_OVERDUE, f"reviewaction:{action.pk}", str(action), url, action.due_on
        )


def training_due(today: date) -> Iterator[Due]:
    horizon = today + timedelta(days=LEAD_DAYS)
    for record in TrainingRecord.objects.filter(due_again_on__lte=horizon).select_related("person"):
        # Only the latest record of a course counts: a refresher already taken replaces the older due date.
        newer = TrainingRecord.objects.filter(
            person=record.person, course=record.course, completed_on__gt=record.completed_on
        ).exists()
        if newer:
            continue
        yield Due(
            record.person,
            ReminderKind.TRAINING_DUE,
            f"training:{record.person_id}:{record.course}"[:100],
            record.course,
            reverse("governance:training-detail", kwargs={"pk": record.pk}),
            record.due_again_on,
        )


def incident_deadlines(now: datetime) -> Iterator[Due]:
    open_serious = Incident.objects.filter(serious=True, reported_to_authority_at__isnull=True).exclude(
        status=IncidentStatus.CLOSED
    )
    for incident in open_serious.select_related("owner"):
        deadline = incident.deadline
        if deadline is None:
            continue
        yield Due(
            incident.owner,
            ReminderKind.INCIDENT_DEADLINE,
            f"incident:{incident.pk}",
            f"{incident} ({deadline.article}, {deadline.days} days)",
            reverse("governance:incident-detail", kwargs={"pk": incident.pk}),
            timezone.localtime(deadline.due_at).date(),
        )


def expiring_access(today: date) -> Iterator[Due]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    horizon = today + timedelta(days=LEAD_DAYS)
    for user in user_model.objects.filter(
        is_active=True, access_expires_on__gte=today, access_expires_on__lte=horizon
    ):
        yield Due(
            user, ReminderKind.ACCESS_EXPIRING, f"access:{user.pk}", "Your auditor access", "", user.access_expires_on
        )


def issue(candidates: Iterable[Due], *, kind: str) -> int:
    """Create the reminders of one kind that are new, and mail each new one once; retire those of that kind that
    no longer fall due (the document was reviewed, the action done), so "My work" shows only what is left.
    Returns how many were new."""
    dues = list(candidates)
    current = {(due.user.pk, due.subject_key, due.due_on) for due in dues if due.user is not None}
    for reminder in Reminder.objects.filter(kind=kind, done=False).only("user_id", "subject_key", "due_on"):
        if (reminder.user_id, reminder.subject_key, reminder.due_on) not in current:
            Reminder.objects.filter(pk=reminder.pk).update(done=True)
    created = 0
    for due in dues:
        if due.user is None or not due.user.is_active:
            continue
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    user=due.user,
                    kind=due.kind,
                    subject_key=due.subject_key,
                    subject_label=due.subject_label[:255],
                    url=due.url,
                    due_on=due.due_on,
                )
        except IntegrityError:
            continue  # already reminded for this date: the idempotency key at work
        created += 1
        _mail(reminder)
    return created


def _mail(reminder: Reminder) -> None:
    if not reminder.user.email:
        return
    # Claim the mail with a conditional update, so two workers never both send it.
    if not Reminder.objects.filter(pk=reminder.pk, emailed_at__isnull=True).update(emailed_at=timezone.now()):
        return
    send_mail(
        subject=f"[AIMS] {reminder.get_kind_display()}: {reminder.subject_label}"[:200],
        message=(
            f"{reminder.get_kind_display()}: {reminder.subject_label}\n"
            f"Due on {reminder.due_on.isoformat()}.\n"
            f"{reminder.url}\n\nSee 'My work' in the AIMS portal for everything that falls to you."
        ),
        from_email=None,
        recipient_list=[reminder.user.email],
        fail_silently=False,
    )
