"""People: roles and responsibilities, competence and AI literacy (5.3, 7.2, 7.3, A.3.2; EU AI Act Art. 4)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import Responsibility, TrainingKind


class ResponsibilityAssignment(models.Model):
    """One cell of the responsibility matrix: a person's RACI role in an AIMS activity or AI system (A.3.2)."""

    activity = models.CharField(max_length=200, help_text="An AIMS activity, e.g. 'Risk assessment'.")
    ai_system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responsibility = models.CharField(max_length=1, choices=Responsibility.choices)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity", "responsibility", "id"]
        constraints = [
            # One person holds one letter per activity and system; a second row would contradict the first.
            models.UniqueConstraint(fields=["activity", "ai_system", "person"], name="responsibility_unique_cell"),
        ]

    def __str__(self) -> str:
        target = f" ({self.ai_system})" if self.ai_system_id else ""
        return f"{self.activity}{target}: {self.person} {self.responsibility}"


class TrainingRecord(models.Model):
    """A training or competence record: who completed what, when, and when it falls due again (7.2, Art. 4)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    course = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TrainingKind.choices, default=TrainingKind.AI_LITERACY)
    completed_on = models.DateField()
    due_again_on = models.DateField(null=True, blank=True, help_text="Empty if it never needs repeating.")
    notes = models.TextField(max_length=2000, blank=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "-completed_on"]
        constraints = [
            # A refresher due before the training happened would always show as overdue.
            models.CheckConstraint(
                condition=Q(due_again_on__isnull=True) | Q(due_again_on__gt=F("completed_on")),
                name="training_due_after_completion",
            ),
        ]
        indexes = [
            # The training reminder task reads records by due date.
            models.Index(fields=["due_again_on"], name="training_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.course} ({self.completed_on.isoformat()})"

    def clean(self) -> None:
        if self.due_again_on and self.completed_on and self.due_again_on <= self.completed_on:
            raise ValidationError({"due_again_on": "The refresher must fall due after the completion date."})
