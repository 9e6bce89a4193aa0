"""Decision rows: who decided what, on which version, and when (the four-eyes rule of DESIGN.md)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.querysets import RestrictedQuerySet


class Decision(models.Model):
    """One governance decision: a request by one person and a decision by another.

    Serves ISO/IEC 42001 clause 5.1 (top management commitment shown by approvals), 7.5.3 (control of
    documented information) and the approvals of 6.1.3 (SoA), 6.1.3 e (risk acceptance) and 9.3 (management
    review closure). The row names its subject by content type and id, and pins the exact version decided
    (a history id, a version number or a bundle revision), so a later edit of the subject never changes what
    was approved. The requester can never be the decider: the services refuse it and a database constraint
    enforces it. A decided row is never changed again.
    """

    kind = models.CharField(max_length=40, choices=DecisionKind.choices)
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.CharField(max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_version = models.CharField(
        max_length=128, help_text="The exact version decided: a history id, version number or revision hash."
    )
    subject_label = models.CharField(max_length=255, help_text="What the subject was called when requested.")
    status = models.CharField(max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    request_note = models.TextField(blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rationale = models.TextField(blank=True, max_length=4000)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("request_decision", "Can request a governance decision"),
            ("decide_decision", "Can approve or reject a governance decision"),
        ]
        constraints = [
            # Four eyes, enforced by the database as well as by the services.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="decision_four_eyes",
            ),
            # A decided row names its decider and time; a pending one names neither.
            models.CheckConstraint(
                condition=(
                    Q(status=DecisionStatus.PENDING, decided_at__isnull=True)
                    | Q(status=DecisionStatus.WITHDRAWN)
                    | Q(
                        status__in=[DecisionStatus.APPROVED, DecisionStatus.REJECTED],
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                    )
                ),
                name="decision_decided_fields",
            ),
            # Two open requests on one subject would let the second approval overtake the first.
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id"],
                condition=Q(status=DecisionStatus.PENDING),
                name="decision_one_pending_per_subject",
            ),
        ]
        indexes = [
            # The subject page lists its decisions, newest first.
            models.Index(fields=["subject_type", "subject_id", "-requested_at"], name="decision_subject_idx"),
            models.Index(fields=["status", "-requested_at"], name="decision_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject_label} ({self.subject_version}) {self.status}"

    @property
    def is_pending(self) -> bool:
        return self.status == DecisionStatus.PENDING
