"""Signed daily checkpoints of each source's chain, the keys that sign them, and their pushes to external sinks.

DESIGN.md, Checkpoints and Keys: one checkpoint per source and UTC day of `received_at`, holding the RFC 6962
Merkle root of that day's event hashes, the count and index range, the previous checkpoint's signature and the
signing key's id; Ed25519 signs the RFC 8785 bytes of that body. Checkpoints are append-only like events (the
database refuses UPDATE and DELETE, migration 0008), so whatever changes about a checkpoint afterwards (its
pushes to external sinks) lives in its own rows. Serves ISO/IEC 42001 A.6.2.8 (event logs) and 9.1: the
record of operation can be shown not to have been rewritten.
"""

from __future__ import annotations

from django.db import models

from aims.core.querysets import RestrictedQuerySet


class PushStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be pushed"
    PUSHED = "pushed", "Pushed"
    FAILED = "failed", "Failed"


class SigningKey(models.Model):
    """A public key that signs (or signed) checkpoints; the private key never enters the database.

    DESIGN.md, Keys: keys have ids and fingerprints and rotation is recorded. The row whose `retired_at` is
    null is the current key; when the configured key changes, the old row is retired and an audit event says
    so. The fingerprint is what auditors pin and what report covers and SoA approvals print.
    """

    key_id = models.CharField(max_length=16, unique=True, help_text="First 16 hex digits of the fingerprint.")
    fingerprint = models.CharField(max_length=71, unique=True, help_text='"SHA256:" and the hex SHA-256.')
    public_key = models.CharField(max_length=64, help_text="Base64 of the raw 32-byte Ed25519 public key.")
    algorithm = models.CharField(max_length=16, default="Ed25519")
    activated_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-activated_at", "-id"]
        constraints = [
            # At most one current key: signing must never have to choose between two.
            models.UniqueConstraint(
                fields=["algorithm"], condition=models.Q(retired_at__isnull=True), name="signingkey_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.fingerprint})"

    @property
    def is_current(self) -> bool:
        return self.retired_at is None


class CheckpointQuerySet(RestrictedQuerySet):
    pass


class Checkpoint(models.Model):
    """The signed checkpoint of one source and one UTC day (DESIGN.md, Checkpoints). Append-only.

    `body` is the exact RFC 8785 text that was signed, so verification checks the signature against what was
    stored and then checks each column against the body; the columns are copies for queries.
    """

    source = models.ForeignKey("evidence.EvidenceSource", on_delete=models.PROTECT, related_name="checkpoints")
    day = models.DateField()
    count = models.BigIntegerField()
    first_index = models.BigIntegerField(null=True, blank=True)
    last_index = models.BigIntegerField(null=True, blank=True)
    merkle_root = models.CharField(max_length=64)
    # Null, not "": it mirrors the body's JSON null of a source's first checkpoint.
    prev_signature = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    # Keyed by the key's 16-hex id, so `checkpoint.key_id` is the very id written in the signed body.
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="checkpoints", to_field="key_id")
    signature = models.CharField(max_length=100)
    body = models.TextField(help_text="The exact JCS text that was signed.")
    signed_at = models.DateTimeField()

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["source", "day"]
        constraints = [
            # One checkpoint per source and day: a second one would be a rewrite of history.
            models.UniqueConstraint(fields=["source", "day"], name="checkpoint_source_day_uniq"),
        ]
        indexes = [
            # The explorer and the packs list checkpoints by day across sources.
            models.Index(fields=["day"], name="checkpoint_day_idx"),
        ]

    def __str__(self) -> str:
        return f"checkpoint {self.source_id} {self.day} ({self.count} events)"


class CheckpointPush(models.Model):
    """One checkpoint's delivery to one external sink (DESIGN.md, Keys: pushed so a rewrite inside shows).

    Separate from the checkpoint because the checkpoint is immutable while delivery is retried and recorded.
    Derived data: not under history.
    """

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="pushes")
    sink = models.CharField(max_length=20, help_text='"directory" or "webhook".')
    status = models.CharField(max_length=10, choices=PushStatus.choices, default=PushStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["checkpoint", "sink"]
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "sink"], name="checkpointpush_checkpoint_sink_uniq"),
        ]
        indexes = [
            # The push task reads only what still has to go out.
            models.Index(
                fields=["status"], name="checkpointpush_open_idx", condition=~models.Q(status=PushStatus.PUSHED)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint} -> {self.sink}: {self.status}"
