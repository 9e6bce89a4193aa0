"""Internal audit (9.2) and nonconformity with corrective action (10.2)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import (
    ActionStatus,
    AuditStatus,
    FindingGrade,
    NonconformitySource,
    NonconformityStatus,
)

# Officers change every action; an owner only theirs (the permission is the officers' add_nonconformity).
EDIT_ALL_ACTIONS = "governance.add_nonconformity"


class AuditProgramme(models.Model):
    """The internal audit programme for a period: frequency, methods, responsibilities (9.2.2)."""

    title = models.CharField(max_length=200, unique=True)
    period_start = models.DateField()
    period_end = models.DateField()
    approach = models.TextField(max_length=4000, blank=True, help_text="Frequency, methods, responsibilities.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="programme_period_order"),
        ]

    def __str__(self) -> str:
        return self.title


class Audit(models.Model):
    """One internal audit: its scope, criteria, period and auditors (9.2.2 b, c)."""

    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, related_name="audits")
    title = models.CharField(max_length=200)
    scope = models.TextField(max_length=4000)
    criteria = models.TextField(max_length=4000, help_text="E.g. ISO/IEC 42001 clauses 6 to 8 and Annex A.6.")
    period_start = models.DateField()
    period_end = models.DateField()
    auditors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    status = models.CharField(max_length=20, choices=AuditStatus.choices, default=AuditStatus.PLANNED)
    conclusion = models.TextField(max_length=8000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[auditors])

    class Meta:
        ordering = ["-period_start", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="audit_period_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period ends before it starts."})


class AuditFinding(models.Model):
    """A finding of an audit, graded major or minor nonconformity, observation or opportunity (9.2)."""

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="findings")
    grade = models.CharField(max_length=20, choices=FindingGrade.choices)
    reference = models.CharField(max_length=50, blank=True, help_text="Clause or control, e.g. 'A.6.2.4'.")
    description = models.TextField(max_length=4000)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["audit", "id"]

    def __str__(self) -> str:
        return f"{self.get_grade_display()}: {self.description[:60]}"

    @property
    def is_nonconformity(self) -> bool:
        return self.grade in {FindingGrade.MAJOR, FindingGrade.MINOR}


class Nonconformity(models.Model):
    """A nonconformity and its correction (10.2): where it came from, its root cause, its effectiveness review.

    Raised from an audit finding, a failing control or an incident. The officer closes it once the
    effectiveness of the actions has been reviewed.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=8000)
    source = models.CharField(max_length=20, choices=NonconformitySource.choices)
    finding = models.ForeignKey(
        AuditFinding, on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    incident = models.ForeignKey(
        "governance.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    control_reference = models.CharField(max_length=50, blank=True, help_text="The failing control, e.g. 'A.6.2.6'.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField()
    root_cause = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=24, choices=NonconformityStatus.choices, default=NonconformityStatus.OPEN)
    effectiveness_review = models.TextField(max_length=4000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name_plural = "nonconformities"
        constraints = [
            # Closed means somebody closed it, at a known time.
            models.CheckConstraint(
                condition=~Q(status=NonconformityStatus.CLOSED) | Q(closed_by__isnull=False, closed_at__isnull=False),
                name="nonconformity_closed_fields",
            ),
        ]
        indexes = [models.Index(fields=["status", "-raised_on"], name="nonconformity_status_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.source == NonconformitySource.AUDIT and not self.finding_id:
            raise ValidationError({"finding": "Name the audit finding this nonconformity comes from."})
        if self.source == NonconformitySource.INCIDENT and not self.incident_id:
            raise ValidationError({"incident": "Name the incident this nonconformity comes from."})
        if self.source == NonconformitySource.CONTROL and not self.control_reference:
            raise ValidationError({"control_reference": "Name the failing control."})


class ActionQuerySet(RestrictedQuerySet):
    """Everyone who may read actions reads them all; an owner changes only the actions they own (officers all)."""

    def scope(self, user: Any, action: str) -> ActionQuerySet:
        if action == "view" or user.has_perm(EDIT_ALL_ACTIONS):
            return self
        return self.filter(owner=user)


class CorrectiveAction(models.Model):
    """An action to correct a nonconformity or remove its cause, with an owner and a due date (10.2 c)."""

    nonconformity = models.ForeignKey(Nonconformity, on_delete=models.PROTECT, related_name="actions")
    description = models.TextField(max_length=4000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)

    objects = ActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # The overdue-action reminder reads open actions by due date.
            models.Index(fields=["status", "due_on"], name="correctiveaction_due_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:80]
