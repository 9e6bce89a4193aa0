"""API serializers of the register. They parse and present; the services validate and write."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.accounts.models import User
from aims.core.api.serializers import DecisionSerializer, UserRefSerializer
from registry import classification
from registry.choices import DataCategory, ModelApprovalStatus, PiiEntity, PiiOperator, SystemStatus
from registry.models import AISystem, CatalogModel, Supplier, SupplierAssessment, UseCase
from registry.services import MODEL_FIELDS, SUPPLIER_FIELDS, SYSTEM_FIELDS, USE_CASE_FIELDS


@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(SystemStatus.values) + ")$"})
class SystemStatusField(serializers.ChoiceField):
    """The system's status as a pattern: a named enum would collide with the decisions' `status` enum."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=SystemStatus.choices, **kwargs)


class SupplierAssessmentSerializer(serializers.ModelSerializer):
    assessor = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, help_text="Defaults to you."
    )

    class Meta:
        model = SupplierAssessment
        fields = ["id", "assessed_on", "assessor", "outcome", "notes", "next_due"]
        read_only_fields = ["id"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs  # the model's clean() runs in the service


class SupplierSerializer(serializers.ModelSerializer):
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)
    assessments = SupplierAssessmentSerializer(many=True, read_only=True)

    class Meta:
        model = Supplier
        fields = ["id", *SUPPLIER_FIELDS, "assessments", "updated_at", "reason"]
        read_only_fields = ["id", "updated_at"]


class UseCaseSerializer(serializers.ModelSerializer):
    ai_system = serializers.SlugRelatedField(
        slug_field="name", queryset=AISystem.objects.all(), help_text="The AI system's name, as in the CSV import."
    )
    ai_system_id = serializers.IntegerField(read_only=True)
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), required=False, max_length=len(DataCategory)
    )
    pii_policy = serializers.DictField(
        child=serializers.ChoiceField(choices=PiiOperator.choices),
        required=False,
        help_text=f"Entity type → operator. Entity types: {', '.join(PiiEntity.values)}.",
    )
    allowed_models = serializers.SerializerMethodField(
        help_text="Approved models this use case may call, by gateway name."
    )
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = UseCase
        fields = ["id", "key", "ai_system", "ai_system_id", *USE_CASE_FIELDS, "allowed_models", "updated_at", "reason"]
        read_only_fields = ["id", "updated_at"]
        # Uniqueness is checked by the service's full_clean(), reported against `key` in the same error shape.
        extra_kwargs = {"key": {"validators": []}}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_models(self, obj: UseCase) -> list[str]:
        return sorted({m.gateway_name for m in CatalogModel.objects.approved().filter(use_cases=obj)})

    def validate_pii_policy(self, value: dict[str, str]) -> dict[str, str]:
        unknown = [k for k in value if k not in PiiEntity.values]
        if unknown:
            raise serializers.ValidationError(f"Unknown entity types: {', '.join(unknown)}.")
        return value


class AISystemSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))
    suppliers = serializers.SlugRelatedField(
        slug_field="name", queryset=Supplier.objects.all(), many=True, required=False
    )
    use_cases = serializers.SlugRelatedField(slug_field="key", many=True, read_only=True)
    status = SystemStatusField(required=False)
    classified_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = AISystem
        fields = [
            "id",
            *SYSTEM_FIELDS,
            "suppliers",
            "use_cases",
            "risk_tier",
            "classification_answers",
            "classification_routes",
            "classification_rationale",
            "transparency_duties",
            "gpai_model",
            "gpai_systemic_risk",
            "classified_at",
            "classified_by",
            "updated_at",
            "reason",
        ]
        read_only_fields = [
            "id",
            "risk_tier",
            "classification_answers",
            "classification_routes",
            "classification_rationale",
            "transparency_duties",
            "gpai_model",
            "gpai_systemic_risk",
            "classified_at",
            "updated_at",
        ]
        extra_kwargs = {"name": {"validators": []}}


class ClassificationSerializer(serializers.Serializer):
    """The questionnaire's answers, by the reference data's ids."""

    prohibited_practices = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        max_length=20,
        help_text="Art. 5 practice refs that apply, e.g. 5(1)(c).",
    )
    annex_i_product = serializers.BooleanField(required=False, default=False)
    annex_i_third_party_assessment = serializers.BooleanField(required=False, default=False)
    annex_iii_areas = serializers.ListField(
        child=serializers.CharField(max_length=4),
        required=False,
        default=list,
        max_length=20,
        help_text="Annex III area numbers, 1 to 8.",
    )
    art_6_3_exemption = serializers.BooleanField(required=False, default=False)
    art_6_3_condition = serializers.ChoiceField(
        choices=list(classification.EXEMPTION_CONDITIONS), required=False, allow_blank=True, default=""
    )
    profiling = serializers.BooleanField(required=False, default=False)
    transparency_duties = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        default=list,
        max_length=20,
        help_text="Art. 50 duties that apply: 50(1) to 50(4).",
    )
    gpai_model = serializers.BooleanField(required=False, default=False)
    gpai_systemic_risk = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class CatalogModelSerializer(serializers.ModelSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all(), allow_null=True, required=False)
    use_cases = serializers.SlugRelatedField(
        slug_field="key", queryset=UseCase.objects.all(), many=True, required=False
    )
    approval_status = serializers.ChoiceField(choices=ModelApprovalStatus.choices, read_only=True)
    approved_by = serializers.SerializerMethodField()
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    pin = serializers.CharField(read_only=True, help_text="The version an approval pins.")
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = CatalogModel
        fields = [
            "id",
            *MODEL_FIELDS,
            "use_cases",
            "pin",
            "approval_status",
            "approved_by",
            "approved_at",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["id", "updated_at"]
        validators: list = []  # (provider, gateway_name) uniqueness is checked by the service's full_clean()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by(self, obj: CatalogModel) -> str | None:
        user = getattr(obj, "approved_by", None)
        if user is None and getattr(obj, "approved_by_id", None):
            user = User.objects.filter(pk=obj.approved_by_id).first()
        return user.username if user else None


class MaterialChangeSerializer(serializers.Serializer):
    """The AI systems whose purpose, tier or approved models changed: their impact assessment falls due."""

    system_ids = serializers.ListField(child=serializers.IntegerField())
    reasons = serializers.ListField(child=serializers.CharField())


class ClassifiedSystemSerializer(AISystemSerializer):
    material_change = MaterialChangeSerializer(read_only=True)

    class Meta(AISystemSerializer.Meta):
        fields = [*AISystemSerializer.Meta.fields, "material_change"]


class ModelDecisionResultSerializer(serializers.Serializer):
    decision = DecisionSerializer()
    model = CatalogModelSerializer()
    material_change = MaterialChangeSerializer()


__all__ = [
    "AISystemSerializer",
    "CatalogModelSerializer",
    "ClassificationSerializer",
    "ClassifiedSystemSerializer",
    "DecisionSerializer",
    "MaterialChangeSerializer",
    "ModelDecisionResultSerializer",
    "SupplierAssessmentSerializer",
    "SupplierSerializer",
    "UseCaseSerializer",
    "UserRefSerializer",
]


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    """One version of a register entry: who changed what, when and why, as a diff against the version before."""

    history_id = serializers.IntegerField(source="record.history_id")
    date = serializers.DateTimeField(source="record.history_date")
    user = serializers.CharField(source="record.history_user.username", allow_null=True, default=None)
    type = serializers.CharField(source="record.get_history_type_display")
    reason = serializers.CharField(source="record.history_change_reason", allow_null=True)
    changes = FieldChangeSerializer(many=True)
