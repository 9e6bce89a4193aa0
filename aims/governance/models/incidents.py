"""Incidents and concerns about AI systems (A.3.3, A.8.3, A.8.4; EU AI Act Art. 73)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import (
    CommunicationDirection,
    ConcernConfidentiality,
    ConcernStatus,
    IncidentStatus,
    SeriousCase,
    Severity,
)
from aims.governance.deadlines import Deadline, reporting_deadline


class Incident(models.Model):
    """An incident involving AI systems (A.8.4), and whether it is a serious incident under Art. 3(49).

    A serious incident carries the Art. 73 reporting deadline, computed from when we became aware of it.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=8000)
    ai_systems = models.ManyToManyField("registry.AISystem", blank=True, related_name="+")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    occurred_at = models.DateTimeField(null=True, blank=True)
    aware_at = models.DateTimeField(help_text="When the organisation became aware of it: the deadline runs from here.")
    serious = models.BooleanField(default=False, help_text="A serious incident as defined in EU AI Act Art. 3(49).")
    serious_case = models.CharField(max_length=30, choices=SeriousCase.choices, blank=True)
    reported_to_authority_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[ai_systems])

    class Meta:
        ordering = ["-aware_at", "-id"]
        constraints = [
            # The Art. 73 case only means something for a serious incident, and a serious one needs it.
            models.CheckConstraint(
                condition=(Q(serious=True) & ~Q(serious_case="")) | (Q(serious=False) & Q(serious_case="")),
                name="incident_serious_case_consistent",
            ),
        ]
        indexes = [
            # The deadline reminder reads open serious incidents.
            models.Index(fields=["serious", "status"], name="incident_serious_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.serious and not self.serious_case:
            raise ValidationError({"serious_case": "Say which Art. 73 case applies to this serious incident."})
        if not self.serious and self.serious_case:
            raise ValidationError({"serious_case": "Only a serious incident has an Art. 73 case."})

    @property
    def deadline(self) -> Deadline | None:
        if not self.serious or not self.aware_at:
            return None
        return reporting_deadline(aware_at=self.aware_at, case=SeriousCase(self.serious_case))

    def time_left(self, now: datetime) -> str:
        deadline = self.deadline
        if deadline is None:
            return ""
        if self.reported_to_authority_at:
            return "reported"
        return deadline.countdown(now)


class IncidentCommunication(models.Model):
    """A communication about an incident: to or from an authority, a provider, affected people (A.8.4, A.8.3)."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="communications")
    direction = models.CharField(max_length=10, choices=CommunicationDirection.choices)
    party = models.CharField(max_length=200, help_text="Who, e.g. the market surveillance authority.")
    at = models.DateTimeField()
    summary = models.TextField(max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.party} on {self.at:%Y-%m-%d}"


class ConcernChannel(models.Model):
    """How concerns may be raised (A.3.3). One row; the unauthenticated public form is off unless switched on."""

    public_form_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return "Concern channel" + (" (public form on)" if self.public_form_enabled else "")

    @classmethod
    def current(cls) -> ConcernChannel:
        return cls.objects.order_by("id").first() or cls()


class ConcernQuerySet(RestrictedQuerySet):
    def scope(self, user: object, action: str) -> ConcernQuerySet:
        return self


class Concern(models.Model):
    """A concern about an AI system raised by anyone (A.3.3), or an external report (A.8.3), and its triage.

    The reporter may stay confidential (only officers see who) or anonymous (no identity stored at all; the
    history keeps no user either).
    """

    ai_system = models.ForeignKey(
        "registry.AISystem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(max_length=200)
    details = models.TextField(max_length=8000)
    confidentiality = models.CharField(
        max_length=20, choices=ConcernConfidentiality.choices, default=ConcernConfidentiality.CONFIDENTIAL
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reporter_contact = models.CharField(max_length=200, blank=True, help_text="Optional: how to reach you.")
    external = models.BooleanField(default=False, help_text="Received through the public form.")
    status = models.CharField(max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW)
    triage_notes = models.TextField(max_length=4000, blank=True)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns")
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ConcernQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["reporter", "reporter_contact"])

    class Meta:
        ordering = ["-received_at", "-id"]
        permissions = [("view_concern_reporter", "Can see who raised a confidential concern")]
        constraints = [
            # Anonymous means nothing that identifies the reporter is kept.
            models.CheckConstraint(
                condition=~Q(confidentiality=ConcernConfidentiality.ANONYMOUS)
                | (Q(reporter__isnull=True) & Q(reporter_contact="")),
                name="concern_anonymous_has_no_identity",
            ),
        ]
        indexes = [models.Index(fields=["status", "-received_at"], name="concern_status_idx")]

    def __str__(self) -> str:
        return self.summary

    def reporter_for(self, user: object) -> str:
        """Who raised it, as this reader may see it."""
        if self.confidentiality == ConcernConfidentiality.ANONYMOUS or self.reporter_id is None:
            return "anonymous"
        if self.confidentiality == ConcernConfidentiality.CONFIDENTIAL and not user.has_perm(  # type: ignore[attr-defined]
            "governance.view_concern_reporter"
        ):
            return "confidential"
        return str(self.reporter)
