"""Evidence in the admin: read-only. Events and checkpoints have no write path in the application."""

from django.contrib import admin

from aims.core.admin import GovernedAdmin, ReadOnlyAdminMixin
from evidence.models import (
    ArtifactFile,
    Checkpoint,
    CheckpointPush,
    Event,
    EvidenceArtifact,
    EvidenceSource,
    IngestBatch,
    NodeGap,
    Rollup,
    SigningKey,
    SourceToken,
)


@admin.register(EvidenceSource)
class EvidenceSourceAdmin(GovernedAdmin):
    list_display = ["name", "owner", "heartbeat_seconds", "rate_limit_per_minute", "is_active"]


@admin.register(SourceToken)
class SourceTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]


@admin.register(IngestBatch)
class IngestBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "source", "received_at", "status", "item_count"]
    exclude = ["payload"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source", "chain_index", "kind", "event_id", "use_case", "decision", "received_at"]
    list_filter = ["kind", "decision"]


@admin.register(EvidenceArtifact)
class EvidenceArtifactAdmin(GovernedAdmin):
    list_display = ["title", "effective_on", "expires_on"]


@admin.register(ArtifactFile)
class ArtifactFileAdmin(GovernedAdmin):
    list_display = ["original_name", "artifact", "size", "sha256"]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key_id", "fingerprint", "activated_at", "retired_at"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source", "day", "count", "first_index", "last_index", "key_id", "signed_at"]
    list_filter = ["source"]


@admin.register(CheckpointPush)
class CheckpointPushAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["checkpoint", "sink", "status", "attempts", "pushed_at"]
    list_filter = ["sink", "status"]


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source", "granularity", "bucket", "use_case", "model", "decision", "events"]
    list_filter = ["granularity", "source", "decision"]


@admin.register(NodeGap)
class NodeGapAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["source", "node_id", "kind", "started_at", "ended_at", "seconds", "missing"]
    list_filter = ["kind", "source"]
