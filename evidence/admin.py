"""Evidence in the admin: read-only. Events and checkpoints have no write path in the application."""

from django.contrib import admin

from aims.core.admin import GovernedAdmin, ReadOnlyAdminMixin
from evidence.models import ArtifactFile, Event, EvidenceArtifact, EvidenceSource, IngestBatch, SourceToken


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
