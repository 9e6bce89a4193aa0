"""Context of the organisation and the AIMS scope (ISO/IEC 42001 4.1 to 4.3)."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import IssueKind


class ContextIssue(models.Model):
    """An internal or external issue that bears on the AIMS's ability to reach its outcomes (4.1)."""

    kind = models.CharField(max_length=10, choices=IssueKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    effect = models.TextField(max_length=2000, blank=True, help_text="How it affects the AIMS or its AI systems.")
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            # One issue listed twice would be weighed twice in the management review.
            models.UniqueConstraint(fields=["kind", "title"], name="contextissue_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class InterestedParty(models.Model):
    """A party with an interest in the AIMS, and its requirements that the AIMS addresses (4.2)."""

    name = models.CharField(max_length=200, unique=True)
    requirements = models.TextField(max_length=4000, help_text="What this party requires of us on AI.")
    addressed_by_aims = models.BooleanField(default=True, help_text="Whether the AIMS addresses these requirements.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "interested parties"

    def __str__(self) -> str:
        return self.name


class AimsScope(models.Model):
    """The scope statement of the AIMS and the AI systems it covers or excludes (4.3). There is one row."""

    statement = models.TextField(max_length=8000)
    boundaries = models.TextField(max_length=4000, blank=True, help_text="Units, sites and processes covered.")
    exclusions_justification = models.TextField(
        max_length=4000, blank=True, help_text="Why the AI systems out of scope are excluded."
    )
    systems_in_scope = models.ManyToManyField("registry.AISystem", blank=True, related_name="+")
    systems_out_of_scope = models.ManyToManyField("registry.AISystem", blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[systems_in_scope, systems_out_of_scope])

    class Meta:
        ordering = ["id"]
        verbose_name = "AIMS scope"

    def __str__(self) -> str:
        return "AIMS scope"
