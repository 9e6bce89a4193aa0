"""API serializers of the control catalog (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from controls import selectors
from controls.models import ControlImplementation, CrosswalkLink, EnforcementMetric, Framework, Requirement


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
            "is_custom",
            "created_at",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["created_at", "updated_at"]
