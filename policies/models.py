"""Policy bundles: the register's use-case policies compiled for gateways, approved and versioned.

A bundle revision is governed (DESIGN.md, History): it is created only by `policies/services.py`, its content
never changes after creation, and its publication is a four-eyes decision row (DecisionKind.POLICY_BUNDLE)
pinned to the revision. Whether a revision is published is read from the decision rows, never stored, so an
approval made through the generic decisions endpoint and one made on the policies pages cannot disagree.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast
from simple_history.models import HistoricalRecords

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from aims.core.querysets import RestrictedQuerySet
from policies.choices import PublicationStatus

revision_hex = RegexValidator(r"^[0-9a-f]{64}$", "A revision is the lowercase hex SHA-256 of the bundle.")


class PolicyBundleQuerySet(RestrictedQuerySet):
    def with_publication(self) -> Self:
        """Annotate each revision with its latest (non-withdrawn, if any) POLICY_BUNDLE decision."""
        if "decision_status" in self.query.annotations:
            return self
        decisions = Decision.objects.filter(
            kind=DecisionKind.POLICY_BUNDLE,
            subject_type=ContentType.objects.get_for_model(PolicyBundle),
            subject_id=Cast(OuterRef("pk"), CharField()),
            subject_version=OuterRef("revision"),
        ).order_by("-requested_at", "-id")
        return self.annotate(
            decision_id=Subquery(decisions.values("id")[:1]),
            decision_status=Subquery(decisions.values("status")[:1]),
            requested_by_id=Subquery(decisions.values("requested_by")[:1]),
            requested_at=Subquery(decisions.values("requested_at")[:1]),
            decided_by_id=Subquery(decisions.values("decided_by")[:1]),
            decided_at=Subquery(decisions.values("decided_at")[:1]),
        )

    def published(self) -> Self:
        """Revisions the committee approved, the latest approval first: the first one is the current bundle."""
        return (
            self.with_publication()
            .filter(decision_status=DecisionStatus.APPROVED)
            .order_by("-decided_at", "-decision_id")
        )


class PolicyBundle(models.Model):
    """One revision of the policy bundle gateways enforce (ISO/IEC 42001 8.1, A.2.2, A.9.4, A.10.3).

    8.1 asks that operational controls are applied and that changes to them are controlled: the bundle is the
    AI policy (A.2.2) as code, each rule names the Annex A controls it implements, and every decision event a
    gateway records names the revision it applied. The revision is the SHA-256 of the RFC 8785 canonical form
    of `content` (enforcement.bundle.revision), so anyone holding the JSON can check it.
    """

    name = models.CharField(max_length=120, help_text="The bundle's name, as in its content.")
    revision = models.CharField(max_length=64, unique=True, validators=[revision_hex], editable=False)
    content = models.JSONField(help_text="The bundle exactly as gateways receive it (schema 1.x).")
    issued_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PolicyBundleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "policy bundle"
        indexes = [
            # The bundle list and the history page read revisions newest first.
            models.Index(fields=["-created_at"], name="policybundle_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.revision[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Immutable once created: a changed bundle is a new revision, never an edit of an approved one.
        if self.pk is not None:
            stored = PolicyBundle.objects.filter(pk=self.pk).values("revision", "content").first()
            if stored is not None and (stored["revision"] != self.revision or stored["content"] != self.content):
                raise ValidationError("A policy bundle revision cannot be changed; compile a new one.")
        super().save(*args, **kwargs)

    @property
    def short_revision(self) -> str:
        return self.revision[:12]

    @property
    def publication_status(self) -> str:
        """Requires `with_publication()`; a revision nobody asked to publish yet counts as pending."""
        status = getattr(self, "decision_status", None)
        return status or PublicationStatus.PENDING

    def get_publication_status_display(self) -> str:
        return PublicationStatus(self.publication_status).label

    def clean(self) -> None:
        from enforcement.bundle import revision as revision_of

        if isinstance(self.content, dict) and self.revision and revision_of(self.content) != self.revision:
            raise ValidationError({"revision": "The revision does not match the content."})
