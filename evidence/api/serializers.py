"""Serializers of the evidence explorer's read-only API. Choice values are plain strings here: their names
would collide with other apps' `decision`/`status` enums in the schema."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from evidence.selectors import event_rule_ids


class EventSerializer(serializers.Serializer):
    source = serializers.CharField(source="source.name")
    chain_index = serializers.IntegerField()
    received_at = serializers.DateTimeField()
    occurred_at = serializers.DateTimeField()
    event_id = serializers.CharField()
    kind = serializers.CharField()
    node_id = serializers.CharField()
    producer_seq = serializers.IntegerField(allow_null=True)
    use_case = serializers.CharField()
    use_case_known = serializers.BooleanField()
    stage = serializers.CharField()
    decision = serializers.CharField()
    model = serializers.CharField(source="model_requested")
    rule_ids = serializers.SerializerMethodField()
    leaf_hash = serializers.CharField()
    event_hash = serializers.CharField()
    canonical = serializers.CharField(help_text="The RFC 8785 envelope exactly as hashed (leaf = its SHA-256).")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_rule_ids(self, event: Any) -> list[str]:
        return event_rule_ids(event.canonical)


class SourceSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    owner = serializers.CharField(source="owner.username")
    use_cases = serializers.SerializerMethodField()
    heartbeat_seconds = serializers.IntegerField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    chain_last_index = serializers.SerializerMethodField()
    chain_last_hash = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_use_cases(self, source: Any) -> list[str]:
        return [uc.key for uc in source.use_cases.all()]

    def _head(self, source: Any) -> Any:
        return getattr(source, "head", None)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_chain_last_index(self, source: Any) -> int | None:
        head = self._head(source)
        return head.last_index if head is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_chain_last_hash(self, source: Any) -> str | None:
        head = self._head(source)
        return head.last_hash if head is not None else None


class CheckpointSerializer(serializers.Serializer):
    source = serializers.CharField(source="source.name")
    day = serializers.DateField()
    count = serializers.IntegerField()
    first_index = serializers.IntegerField(allow_null=True)
    last_index = serializers.IntegerField(allow_null=True)
    merkle_root = serializers.CharField()
    prev_signature = serializers.CharField(allow_null=True)
    key_id = serializers.CharField()
    key_fingerprint = serializers.CharField(source="key.fingerprint")
    signature = serializers.CharField(help_text="Base64 Ed25519 signature over `body`.")
    body = serializers.CharField(help_text="The exact RFC 8785 text that was signed.")
    signed_at = serializers.DateTimeField()


class CheckResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    implementation = serializers.CharField(source="implementation.code")
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    metric = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=6)
    target = serializers.CharField()
    outcome = serializers.CharField()
    source = serializers.CharField()
    recorded_at = serializers.DateTimeField()
