"""API serializers of the risks app. They parse and present; the services validate and write."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.accounts.models import User
from controls.models import ControlImplementation
from registry.api.serializers import HistoryEntrySerializer
from registry.models import AISystem
from risks import reference
from risks.choices import (
    AcceptanceState,
    Acceptor,
    ActionStatus,
    AssessmentStatus,
    ImpactArea,
    ImpactScope,
    RiskLevel,
    RiskStatus,
    Severity,
    TreatmentOption,
)
from risks.models import Impact, ImpactAssessment, Risk, RiskAcceptance, RiskCriteria, TreatmentAction
from risks.services import ASSESSMENT_FIELDS, RISK_FIELDS


def pattern_choice(values: list[str], choices: list[tuple[str, str]], **kwargs: Any) -> serializers.ChoiceField:
    """A choice field described as a pattern: several models here have a `status` or a level, and named enums
    for each would collide in the schema."""

    @extend_schema_field({"type": "string", "pattern": "^(" + "|".join(values) + ")$"})
    class PatternChoiceField(serializers.ChoiceField):
        pass

    if "" in values:
        # "" is then a choice like any other; allow_blank on top would describe it twice (a oneOf that "" matches
        # on both branches, which schema validators refuse).
        kwargs.pop("allow_blank", None)
    return PatternChoiceField(choices=choices, **kwargs)


def _level(**kwargs: Any) -> serializers.ChoiceField:
    return pattern_choice(RiskLevel.values, RiskLevel.choices, **kwargs)


class TreatmentActionSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))
    status = pattern_choice(ActionStatus.values, ActionStatus.choices, read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = TreatmentAction
        fields = ["id", "description", "owner", "due_on", "status", "completed_on", "is_overdue"]
        read_only_fields = ["id", "completed_on"]


class RiskAcceptanceSerializer(serializers.ModelSerializer):
    acceptor = pattern_choice(Acceptor.values, Acceptor.choices, read_only=True)
    level = _level(read_only=True)
    state = pattern_choice(AcceptanceState.values, AcceptanceState.choices, read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RiskAcceptance
        fields = [
            "id",
            "acceptor",
            "level",
            "residual_likelihood",
            "residual_impact",
            "criteria_version",
            "expires_on",
            "rationale",
            "state",
            "decision",
            "requested_by",
            "requested_at",
            "accepted_by",
            "accepted_at",
        ]
        read_only_fields = fields


class RiskSerializer(serializers.ModelSerializer):
    ref = serializers.CharField(read_only=True)
    ai_system = serializers.SlugRelatedField(
        slug_field="name",
        queryset=AISystem.objects.all(),
        allow_null=True,
        required=False,
        help_text="The AI system's name, as in the CSV import; null for an organisation-wide risk.",
    )
    ai_system_id = serializers.IntegerField(read_only=True, allow_null=True)
    source = pattern_choice(
        [c.replace(".", r"\.") for c, _ in reference.risk_source_choices()],
        reference.risk_source_choices(),
        help_text="Annex C.3 risk source id, e.g. C.3.4.",
    )
    objectives = serializers.ListField(
        child=pattern_choice(
            [c.replace(".", r"\.") for c, _ in reference.objective_choices()], reference.objective_choices()
        ),
        required=False,
        max_length=11,
        help_text="Annex C.2 objective ids, e.g. C.2.5.",
    )
    criteria_version = serializers.IntegerField(source="criteria.version", read_only=True)
    inherent_level = _level(read_only=True)
    level = _level(read_only=True, help_text="The residual level.")
    acceptor = pattern_choice(
        Acceptor.values, Acceptor.choices, read_only=True, help_text="Who may accept the residual risk."
    )
    treatment = pattern_choice(
        TreatmentOption.values,
        TreatmentOption.choices,
        required=False,
        allow_blank=True,
        help_text="Treatment option.",
    )
    controls = serializers.SlugRelatedField(
        slug_field="code", queryset=ControlImplementation.objects.all(), many=True, required=False
    )
    owner = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))
    status = pattern_choice(RiskStatus.values, RiskStatus.choices, required=False)
    effective_status = pattern_choice(
        RiskStatus.values,
        RiskStatus.choices,
        read_only=True,
        help_text="Today's status: an expired acceptance is open.",
    )
    overdue_action_count = serializers.IntegerField(read_only=True, default=0)
    actions = TreatmentActionSerializer(many=True, read_only=True)
    acceptances = RiskAcceptanceSerializer(many=True, read_only=True)
    reassess = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Rate it under the criteria in force."
    )
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = Risk
        fields = [
            "id",
            "ref",
            *RISK_FIELDS,
            "ai_system_id",
            "criteria_version",
            "inherent_score",
            "inherent_level",
            "residual_score",
            "level",
            "acceptor",
            "controls",
            "effective_status",
            "accepted_until",
            "overdue_action_count",
            "actions",
            "acceptances",
            "created_at",
            "updated_at",
            "reassess",
            "reason",
        ]
        read_only_fields = ["id", "inherent_score", "residual_score", "accepted_until", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return attrs  # the model's clean() runs in the service


class RiskAcceptanceRequestSerializer(serializers.Serializer):
    expires_on = serializers.DateField(help_text="Until when the committee is asked to accept the risk.")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class OwnerAcceptSerializer(serializers.Serializer):
    expires_on = serializers.DateField()
    rationale = serializers.CharField(max_length=4000)


class AcceptanceDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField(required=False, default=True)
    rationale = serializers.CharField(max_length=4000)
    expires_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Overrides the request's."
    )


class RiskWithAcceptanceSerializer(serializers.Serializer):
    risk = RiskSerializer()
    acceptance = RiskAcceptanceSerializer()


class ScaleStepSerializer(serializers.Serializer):
    value = serializers.IntegerField(min_value=1, max_value=10)
    label = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class LevelBandSerializer(serializers.Serializer):
    level = _level()
    max_score = serializers.IntegerField(min_value=1, max_value=100)
    acceptor = pattern_choice(Acceptor.values, Acceptor.choices)


class RiskCriteriaSerializer(serializers.ModelSerializer):
    likelihood_scale = ScaleStepSerializer(many=True)
    impact_scale = ScaleStepSerializer(many=True)
    levels = LevelBandSerializer(many=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RiskCriteria
        fields = [
            "id",
            "version",
            "name",
            "likelihood_scale",
            "impact_scale",
            "levels",
            "in_force",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["id", "version", "in_force", "created_by", "created_at"]


class ImpactSerializer(serializers.ModelSerializer):
    area = pattern_choice(ImpactArea.values, ImpactArea.choices)
    scope = pattern_choice(ImpactScope.values, ImpactScope.choices)
    severity = pattern_choice(Severity.values, Severity.choices)

    class Meta:
        model = Impact
        fields = ["id", "area", "scope", "affected", "description", "severity", "mitigations"]
        read_only_fields = ["id"]


class ImpactAssessmentSerializer(serializers.ModelSerializer):
    ai_system = serializers.SlugRelatedField(
        slug_field="name", queryset=AISystem.objects.all(), help_text="The AI system's name."
    )
    ai_system_id = serializers.IntegerField(read_only=True)
    status = pattern_choice(AssessmentStatus.values, AssessmentStatus.choices, read_only=True)
    prepared_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    signed_off_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    impacts = ImpactSerializer(many=True, read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = ImpactAssessment
        fields = [
            "id",
            "ai_system",
            "ai_system_id",
            *ASSESSMENT_FIELDS,
            "status",
            "review_reason",
            "review_due_since",
            "snapshot",
            "prepared_by",
            "signed_off_by",
            "signed_off_at",
            "impacts",
            "created_at",
            "updated_at",
            "reason",
        ]
        read_only_fields = [
            "id",
            "review_reason",
            "review_due_since",
            "snapshot",
            "signed_off_at",
            "created_at",
            "updated_at",
        ]
        validators: list = []  # one assessment per system is checked by the service (409)


class SignOffSerializer(serializers.Serializer):
    approve = serializers.BooleanField(required=False, default=True)
    rationale = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReconcileResultSerializer(serializers.Serializer):
    marked = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of assessments now due.")


__all__ = [
    "AcceptanceDecisionSerializer",
    "HistoryEntrySerializer",
    "ImpactAssessmentSerializer",
    "ImpactSerializer",
    "OwnerAcceptSerializer",
    "ReconcileResultSerializer",
    "RiskAcceptanceRequestSerializer",
    "RiskAcceptanceSerializer",
    "RiskCriteriaSerializer",
    "RiskSerializer",
    "RiskWithAcceptanceSerializer",
    "SignOffSerializer",
    "TreatmentActionSerializer",
]
