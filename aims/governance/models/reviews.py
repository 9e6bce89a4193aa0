"""Management review (9.3) and the reminders that the periodic tasks send."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from simple_history.models import HistoricalRecords

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import ActionStatus, ReminderKind, ReviewStatus
from aims.governance.models.audits import ActionQuerySet


class ManagementReview(models.Model):
    """A management review (9.3): inputs assembled when it is created, then frozen with it as a snapshot.

    The committee closes it under the four-eyes rule (a REVIEW_CLOSURE decision row); a closed review is
    never changed again.
    """

    title = models.CharField(max_length=200, unique=True)
    held_on = models.DateField()
    attendees = models.TextField(max_length=2000, blank=True)
    inputs = models.JSONField(
        default=dict, editable=False, help_text="The 9.3.2 inputs as assembled on creation (frozen)."
    )
    inputs_assembled_at = models.DateTimeField(editable=False)
    minutes = models.TextField(max_length=20_000, blank=True)
    decisions = models.TextField(
        max_length=8000, blank=True, help_text="Decisions on improvement and changes to the AIMS (9.3.3)."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def version(self) -> str:
        latest = self.history.order_by("-history_id").values_list("history_id", flat=True).first()
        return f"history:{latest}" if latest else "history:0"

    def closure_decisions(self) -> models.QuerySet[Decision]:
        return Decision.objects.filter(
            kind=DecisionKind.REVIEW_CLOSURE,
            subject_type=ContentType.objects.get_for_model(ManagementReview),
            subject_id=str(self.pk),
        )

    @property
    def status(self) -> str:
        statuses = set(self.closure_decisions().values_list("status", flat=True))
        if DecisionStatus.APPROVED in statuses:
            return ReviewStatus.CLOSED
        if DecisionStatus.PENDING in statuses:
            return ReviewStatus.PENDING_CLOSURE
        return ReviewStatus.OPEN

    def get_status_display(self) -> str:
        return str(ReviewStatus(self.status).label)


class ReviewAction(models.Model):
    """An action decided in a management review (9.3.3); its status is an input to the next review."""

    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="reviewaction_due_idx")]

    def __str__(self) -> str:
        return self.description[:80]


class ReminderQuerySet(RestrictedQuerySet):
    def scope(self, user: object, action: str) -> ReminderQuerySet:
        return self.filter(user=user)


class Reminder(models.Model):
    """Something a person must do by a date: shown in "My work" and mailed once (7.5.3, 9.2, 10.2 follow-up).

    One row per (user, kind, subject, due date): the periodic tasks create it if missing and mail only then, so
    running them again never sends the same mail twice. Derived, so not under history.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=ReminderKind.choices)
    subject_key = models.CharField(max_length=100, help_text="E.g. 'document:3'.")
    subject_label = models.CharField(max_length=255)
    url = models.CharField(max_length=300, blank=True)
    due_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    done = models.BooleanField(default=False)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # The idempotency key of the reminder tasks: the same reminder is never made (or mailed) twice.
            models.UniqueConstraint(fields=["user", "kind", "subject_key", "due_on"], name="reminder_once"),
        ]
        indexes = [models.Index(fields=["user", "done", "due_on"], name="reminder_user_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_label} by {self.due_on.isoformat()}"
