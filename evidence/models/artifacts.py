"""Manual evidence artifacts: documents that show a control operates where no automated check can.

Governed (DESIGN.md, History): artifacts and their files keep their history; every write goes through
`evidence/artifacts_services.py`, which checks each upload by its content and stores it under
MEDIA_ROOT/evidence/, outside the web root. Files are served only by an authorised view, as attachments.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet


def artifact_upload_to(instance: ArtifactFile, filename: str) -> str:
    # A random name without extension: the user's file name is kept as data, never used as a path.
    return f"evidence/artifacts/{uuid.uuid4().hex}"


class EvidenceArtifact(models.Model):
    """A piece of manual evidence (ISO/IEC 42001 7.5 documented information, 9.1 evidence of monitoring): a
    signed procedure, a review minute, a test report, attached to the control implementations it evidences.

    It counts towards the status of every requirement those implementations satisfy from `effective_on` until
    `expires_on`; after that it no longer counts, and a control evidenced only by it shows as stale.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    effective_on = models.DateField(help_text="The date the evidence speaks for (not the upload date).")
    expires_on = models.DateField(help_text="After this date the artifact no longer counts as evidence.")
    implementations = models.ManyToManyField(
        "controls.ControlImplementation", blank=True, related_name="evidence_artifacts"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[implementations])

    class Meta:
        ordering = ["-effective_on", "-id"]
        constraints = [
            # Evidence that expires before it takes effect would never count.
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("effective_on")), name="evidence_artifact_expires_after_effective"
            ),
        ]
        indexes = [
            # The control status reads the artifacts in force, by expiry.
            models.Index(fields=["expires_on"], name="evidence_artifact_expiry_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day: date) -> bool:
        return self.effective_on <= day <= self.expires_on

    def expired_on(self, day: date) -> bool:
        return day > self.expires_on


class ArtifactFile(models.Model):
    """One file of an evidence artifact, with what an auditor needs to trust it: its size, the content type
    detected from its bytes (never the browser's claim) and its SHA-256 (ISO/IEC 42001 7.5.3, integrity)."""

    artifact = models.ForeignKey(EvidenceArtifact, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(upload_to=artifact_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["artifact", "uploaded_at", "id"]
        indexes = [
            # Finding the same document uploaded twice, and verifying a file by its digest.
            models.Index(fields=["sha256"], name="evidence_artifactfile_sha_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.artifact})"
