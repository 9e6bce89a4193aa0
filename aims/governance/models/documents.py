"""Documented information: the AI policy and the other governed documents (5.2, 7.5, A.2)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import DocumentKind, DocumentVersionStatus


class Document(models.Model):
    """A governed document (7.5.2, 7.5.3): its owner, its review cycle and its versions.

    The text lives in versions; each is approved by the committee under the four-eyes rule, and an approved
    version is never changed again (a new version is written instead).
    """

    title = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_interval_months = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    next_review_on = models.DateField(help_text="When the owner reviews the document next.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        indexes = [
            # The review reminder task reads documents by due date.
            models.Index(fields=["next_review_on"], name="document_review_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def latest_version(self) -> DocumentVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def approved_version(self) -> DocumentVersion | None:
        for version in self.versions.order_by("-number"):
            if version.status == DocumentVersionStatus.APPROVED:
                return version
        return None

    def review_due(self, today: date) -> bool:
        return self.next_review_on <= today


class DocumentVersion(models.Model):
    """One numbered version of a document's text (Markdown), with an optional attached file (7.5.2, 7.5.3).

    Its status comes from its DOCUMENT_APPROVAL decision rows, so it cannot disagree with the decision register.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField(max_length=100_000, help_text="Markdown: headings, lists, emphasis, code and links.")
    change_summary = models.CharField(max_length=300, blank=True)
    attachment = models.FileField(upload_to="governance/documents/%Y/", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            # Version numbers name what the committee approved; two of the same number would be ambiguous.
            models.UniqueConstraint(fields=["document", "number"], name="documentversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def version_label(self) -> str:
        return f"v{self.number}"

    def decisions(self) -> models.QuerySet[Decision]:
        return Decision.objects.filter(
            kind=DecisionKind.DOCUMENT_APPROVAL,
            subject_type=ContentType.objects.get_for_model(DocumentVersion),
            subject_id=str(self.pk),
        )

    @property
    def status(self) -> str:
        statuses = set(self.decisions().values_list("status", flat=True))
        if DecisionStatus.APPROVED in statuses:
            return DocumentVersionStatus.APPROVED
        if DecisionStatus.PENDING in statuses:
            return DocumentVersionStatus.PENDING
        return DocumentVersionStatus.DRAFT

    def get_status_display(self) -> str:
        return str(DocumentVersionStatus(self.status).label)
