"""The audit trail of the portal itself (ISO/IEC 42001 7.5.3, control of documented information; A.6.2.8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from aims.audit.choices import AuditKind
from aims.core.querysets import RestrictedQuerySet


class AuditEvent(models.Model):
    """One security-relevant act in the portal: a login, a failed login, a token's use, a download, an
    approval, a role change or a configuration change.

    Append-only: the database refuses UPDATE and DELETE (migration 0002, triggers on PostgreSQL and SQLite).
    `actor_label` keeps the username as it was, so the row still reads after the account is erased (the FK
    is then nulled by the erasure, not by an update of this row: see docs/SECURITY.md).
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The list filters by kind and by person, newest first.
            models.Index(fields=["kind", "-at"], name="audit_kind_idx"),
            models.Index(fields=["actor_label", "-at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.actor_label}: {self.summary}"
