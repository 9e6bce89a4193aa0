"""Serializers of the policies API."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from policies.choices import PublicationStatus
from policies.models import PolicyBundle


class PolicyBundleSerializer(serializers.ModelSerializer):
    publication_status = serializers.ChoiceField(choices=PublicationStatus.choices, read_only=True)
    requested_by = serializers.SerializerMethodField()
    requested_at = serializers.DateTimeField(read_only=True, allow_null=True)
    approved_by = serializers.SerializerMethodField()
    approved_at = serializers.SerializerMethodField()
    decision = serializers.IntegerField(source="decision_id", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PolicyBundle
        fields = [
            "id",
            "name",
            "revision",
            "issued_at",
            "created_by",
            "created_at",
            "publication_status",
            "decision",
            "requested_by",
            "requested_at",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_requested_by(self, obj: PolicyBundle) -> str | None:
        user = getattr(obj, "requested_by", None)
        return user.username if user else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by(self, obj: PolicyBundle) -> str | None:
        user = getattr(obj, "decided_by", None)
        return user.username if user and obj.publication_status == PublicationStatus.PUBLISHED else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_approved_at(self, obj: PolicyBundle) -> Any:
        if obj.publication_status != PublicationStatus.PUBLISHED:
            return None
        return serializers.DateTimeField().to_representation(obj.decided_at) if obj.decided_at else None


class PolicyBundleDetailSerializer(PolicyBundleSerializer):
    content = serializers.JSONField(read_only=True)

    class Meta(PolicyBundleSerializer.Meta):
        fields = [*PolicyBundleSerializer.Meta.fields, "content"]
        read_only_fields = fields


class BundleDiffSerializer(serializers.Serializer):
    use_cases_added = serializers.ListField(child=serializers.CharField())
    use_cases_removed = serializers.ListField(child=serializers.CharField())
    use_cases_changed = serializers.ListField(child=serializers.CharField())
    rules_changed = serializers.BooleanField()
    unified_diff = serializers.CharField()


class DraftSerializer(serializers.Serializer):
    revision = serializers.CharField()
    current_revision = serializers.CharField(allow_null=True)
    has_changes = serializers.BooleanField()
    diff = BundleDiffSerializer()
    content = serializers.JSONField()


class PublicationRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
