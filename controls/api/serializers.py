"""API serializers of the control catalog (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.core.api.serializers import DecisionSerializer
from controls import selectors
from controls.choices import ControlStatus
from controls.models import (
    ControlImplementation,
    CrosswalkLink,
    EnforcementMetric,
    Framework,
    Requirement,
    SoAEntry,
    SoAVersion,
)
from registry.models import AISystem, UseCase


class FrameworkSerializer(serializers.ModelSerializer):
    requirement_count = serializers.IntegerField(read_only=True)
    control_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Framework
        fields = [
            "slug",
            "name",
            "short_name",
            "kind",
            "description",
            "source",
            "structure_only",
            "version",
            "requirement_count",
            "control_count",
        ]


class RequirementRefSerializer(serializers.ModelSerializer):
    """A requirement named from elsewhere: enough to show and follow it."""

    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Requirement
        fields = ["id", "framework", "ref", "title", "kind", "status"]


class RequirementSerializer(serializers.ModelSerializer):
    framework = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
    parent_ref = serializers.CharField(source="parent.ref", read_only=True, default=None)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "framework",
            "ref",
            "kind",
            "title",
            "text",
            "guidance",
            "parent",
            "parent_ref",
            "depth",
            "position",
            "status",
            "withdrawn_in_version",
            "evidence_level",
        ]


class LinkSerializer(serializers.ModelSerializer):
    from_requirement = RequirementRefSerializer(read_only=True)
    to_requirement = RequirementRefSerializer(read_only=True)

    class Meta:
        model = CrosswalkLink
        fields = [
            "id",
            "from_requirement",
            "to_requirement",
            "reference",
            "strength",
            "source",
            "inferred",
            "note",
            "withdrawn",
        ]


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnforcementMetric
        fields = ["code", "name", "formula", "window", "target", "requires", "withdrawn"]


class CrosswalkSerializer(serializers.Serializer):
    satisfies = LinkSerializer(many=True, help_text="What this requirement helps satisfy elsewhere.")
    satisfied_by = LinkSerializer(many=True, help_text="What helps satisfy this requirement.")


class RequirementDetailSerializer(RequirementSerializer):
    """One requirement with its children, both directions of the crosswalk and the metrics that evidence it."""

    children = RequirementRefSerializer(many=True, read_only=True)
    crosswalk = serializers.SerializerMethodField()
    metrics = serializers.SerializerMethodField()

    class Meta(RequirementSerializer.Meta):
        fields = [
            *RequirementSerializer.Meta.fields,
            "evidence_summary",
            "evidence_still_needed",
            "evidence_requires",
            "children",
            "crosswalk",
            "metrics",
        ]

    @extend_schema_field(CrosswalkSerializer)
    def get_crosswalk(self, obj: Requirement) -> dict[str, Any]:
        crosswalk = selectors.crosswalk_of(obj, self.context["request"].user)
        return CrosswalkSerializer(crosswalk).data

    @extend_schema_field(MetricSerializer(many=True))
    def get_metrics(self, obj: Requirement) -> list[dict[str, Any]]:
        return MetricSerializer(selectors.metrics_of(obj, self.context["request"].user), many=True).data


class ImplementationSerializer(serializers.ModelSerializer):
    """A control the organisation runs. `requirements` are requirement ids; `reason` is kept in the history."""

    owner = serializers.PrimaryKeyRelatedField(queryset=selectors.owner_choices())
    owner_username = serializers.CharField(source="owner.username", read_only=True)
    requirements = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Requirement.objects.select_related("framework")
    )
    requirement_refs = RequirementRefSerializer(source="requirements", many=True, read_only=True)
    ai_systems = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=AISystem.objects.all())
    use_cases = serializers.SlugRelatedField(
        many=True, required=False, slug_field="key", queryset=UseCase.objects.all(), help_text="Use case keys."
    )
    is_custom = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, help_text="Kept in the history."
    )

    class Meta:
        model = ControlImplementation
        fields = [
            "id",
            "code",
            "name",
            "description",
            "owner",
            "owner_username",
            "status",
            "requirements",
            "requirement_refs",
            "ai_systems",
            "use_cases",
            "is_custom",
            "created_at",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["created_at", "updated_at"]


class SoAEntrySerializer(serializers.ModelSerializer):
    """A draft SoA row. Officers PATCH `applies`, `justification` (required either way), `implementation_status`
    and `owner`; `key`, the implementations and the control status are computed."""

    key = serializers.SerializerMethodField()
    ref = serializers.CharField(read_only=True)
    title = serializers.CharField(read_only=True)
    added = serializers.BooleanField(source="is_added", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=selectors.owner_choices(), allow_null=True, required=False)
    owner_username = serializers.CharField(source="owner.username", read_only=True, default=None)
    implementations = serializers.SerializerMethodField()
    control_status = serializers.SerializerMethodField()
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = SoAEntry
        fields = [
            "id",
            "key",
            "ref",
            "title",
            "added",
            "requirement",
            "added_control",
            "applies",
            "justification",
            "implementation_status",
            "owner",
            "owner_username",
            "implementations",
            "control_status",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["requirement", "added_control", "updated_at"]

    def _row(self, obj: SoAEntry) -> selectors.SoARow:
        rows = self.context.setdefault("soa_rows", {})
        if obj.pk not in rows:
            rows[obj.pk] = selectors.soa_rows([obj])[0]
        return rows[obj.pk]

    def get_key(self, obj: SoAEntry) -> str:
        return obj.requirement.ref if obj.requirement_id else f"added:{obj.added_control.code}"

    def get_implementations(self, obj: SoAEntry) -> list[str]:
        return [i.code for i in self._row(obj).implementations]

    @extend_schema_field(serializers.ChoiceField(choices=ControlStatus.choices))
    def get_control_status(self, obj: SoAEntry) -> str:
        return self._row(obj).status


class SoASnapshotRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    ref = serializers.CharField()
    title = serializers.CharField()
    added = serializers.BooleanField()
    applies = serializers.BooleanField()
    justification = serializers.CharField()
    implementation_status = serializers.CharField()
    owner = serializers.CharField()
    implementations = serializers.ListField(child=serializers.CharField())


class SoAVersionSerializer(serializers.ModelSerializer):
    """A frozen SoA: a proposal while its decision is pending, a numbered version once approved."""

    decision = DecisionSerializer(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    rows = SoASnapshotRowSerializer(many=True, read_only=True)

    class Meta:
        model = SoAVersion
        fields = [
            "id",
            "number",
            "decision",
            "requested_by",
            "created_at",
            "approved_at",
            "catalog_version",
            "snapshot_sha256",
            "signing_key_fingerprint",
            "rows",
        ]


class SoAVersionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = SoAVersion
        fields = ["id", "number", "approved_at", "snapshot_sha256"]


class RowChangeSerializer(serializers.Serializer):
    key = serializers.CharField()
    ref = serializers.CharField()
    title = serializers.CharField()
    changes = serializers.SerializerMethodField(help_text="Each changed field with its old and new value.")

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_changes(self, obj: Any) -> list[dict[str, Any]]:
        return [{"field": name, "old": old, "new": new} for name, old, new in obj.fields]


class SoADiffSerializer(serializers.Serializer):
    old = SoAVersionRefSerializer()
    new = SoAVersionRefSerializer(allow_null=True, help_text="Null: the current draft.")
    added = SoASnapshotRowSerializer(many=True)
    removed = SoASnapshotRowSerializer(many=True)
    changed = RowChangeSerializer(many=True)


class SoADiffQuerySerializer(serializers.Serializer):
    old = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="Id of an approved version.")
    new = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="Id of an approved version; omit for the draft."
    )


class AsOfQuerySerializer(serializers.Serializer):
    date = serializers.DateField()
