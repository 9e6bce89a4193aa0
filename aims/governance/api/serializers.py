"""API serializers for governance records. Plain records get a generated ModelSerializer (resources.py);
people are named by username, AI systems by id."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.accounts.models import User
from aims.core.api.serializers import UserRefSerializer
from aims.governance.choices import ConcernConfidentiality, ConcernStatus, Severity
from aims.governance.models import AimsScope, Concern, OrganisationProfile
from aims.governance.resources import Resource


class OrganisationProfileSerializer(serializers.ModelSerializer):
    version = serializers.CharField(read_only=True)
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, help_text="Kept in the history."
    )

    class Meta:
        model = OrganisationProfile
        fields = [
            "name",
            "legal_name",
            "sector",
            "country",
            "purpose",
            "aims_contact_email",
            "updated_at",
            "version",
            "reason",
        ]
        read_only_fields = ["updated_at", "version"]


def _people() -> Any:
    return User.objects.filter(is_active=True)


class _Governed(serializers.ModelSerializer):
    serializer_related_field = serializers.PrimaryKeyRelatedField

    def build_relational_field(self, field_name: str, relation_info: Any) -> tuple[Any, dict[str, Any]]:
        if relation_info.related_model is User:
            kwargs: dict[str, Any] = {"slug_field": "username", "queryset": _people()}
            if relation_info.to_many:
                kwargs["many"] = True
            model_field = relation_info.model_field
            if model_field is not None and (model_field.null or model_field.blank):
                kwargs["required"] = False
                if not relation_info.to_many:
                    kwargs["allow_null"] = True
            return serializers.SlugRelatedField, kwargs
        return super().build_relational_field(field_name, relation_info)


@cache
def serializer_for(resource: Resource) -> type[serializers.ModelSerializer]:
    """A ModelSerializer of the resource: its writable fields, id, the parent, and a write-only reason."""
    writable = list(resource.fields)
    if resource.parent:
        writable = [resource.parent, *writable]
    read_only = ["id", *resource.read_only_api]
    extra: dict[str, Any] = {}
    if resource.slug == "version":
        read_only += ["number", "created_by", "created_at"]
        extra["status"] = serializers.CharField(read_only=True)
        extra["attachment"] = serializers.FileField(read_only=True)
        read_only.append("attachment")
    if resource.slug == "review":
        read_only += ["inputs", "inputs_assembled_at", "created_by"]
        extra["status"] = serializers.CharField(read_only=True)
    if resource.slug == "incident":
        extra["reporting_deadline"] = serializers.SerializerMethodField()
    if resource.slug == "nonconformity":
        read_only += ["effectiveness_review", "closed_by", "closed_at"]
    if resource.slug == "objective":
        extra["progress_percent"] = serializers.SerializerMethodField()
    fields = ["id", *writable, *[f for f in read_only if f not in writable and f != "id"], *extra]
    meta = type(
        "Meta",
        (),
        {"model": resource.model, "fields": list(dict.fromkeys(fields)), "read_only_fields": read_only},
    )
    attrs: dict[str, Any] = {
        "Meta": meta,
        "reason": serializers.CharField(
            write_only=True, required=False, allow_blank=True, max_length=100, help_text="Kept in the history."
        ),
        **extra,
    }
    attrs["Meta"].fields.append("reason")
    if resource.slug == "incident":
        attrs["get_reporting_deadline"] = _deadline
    if resource.slug == "objective":
        attrs["get_progress_percent"] = _progress
    return type(f"{resource.model.__name__}Serializer", (_Governed,), attrs)


class DeadlineSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    days = serializers.IntegerField()
    article = serializers.CharField()
    overdue = serializers.BooleanField()
    countdown = serializers.CharField()


@extend_schema_field(DeadlineSerializer(allow_null=True))
def _deadline(self: Any, obj: Any) -> dict[str, Any] | None:
    deadline = obj.deadline
    if deadline is None:
        return None
    now = timezone.now()
    return {
        "due_at": deadline.due_at,
        "days": deadline.days,
        "article": deadline.article,
        "overdue": deadline.is_overdue(now) and not obj.reported_to_authority_at,
        "countdown": obj.time_left(now),
    }


@extend_schema_field(serializers.FloatField(allow_null=True))
def _progress(self: Any, obj: Any) -> float | None:
    progress = obj.progress
    return float(progress) if progress is not None else None


class ScopeSerializer(_Governed):
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = AimsScope
        fields = [
            "statement",
            "boundaries",
            "exclusions_justification",
            "systems_in_scope",
            "systems_out_of_scope",
            "updated_at",
            "reason",
        ]
        read_only_fields = ["updated_at"]


class ConcernSerializer(serializers.ModelSerializer):
    """A concern as its reader may see it: the reporter is hidden unless the reader may see it."""

    reporter = serializers.SerializerMethodField()

    class Meta:
        model = Concern
        fields = [
            "id",
            "ai_system",
            "summary",
            "details",
            "confidentiality",
            "reporter",
            "external",
            "status",
            "triage_notes",
            "incident",
            "received_at",
        ]
        read_only_fields = fields

    def get_reporter(self, obj: Concern) -> str:
        return obj.reporter_for(self.context["request"].user)


class ConcernRaiseSerializer(serializers.Serializer):
    ai_system = serializers.IntegerField(required=False, allow_null=True)
    summary = serializers.CharField(max_length=200)
    details = serializers.CharField(max_length=8000)
    confidentiality = serializers.ChoiceField(
        choices=ConcernConfidentiality.choices, default=ConcernConfidentiality.CONFIDENTIAL
    )
    reporter_contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TriageSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConcernStatus.choices)
    triage_notes = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    create_incident = serializers.BooleanField(required=False, default=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False, default=Severity.MEDIUM)


class VersionCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=100_000)
    change_summary = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class KpiValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    measured_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class KpiMeasurementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kpi = serializers.IntegerField(source="kpi_id")
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    measured_on = serializers.DateField()
    note = serializers.CharField()


class CloseSerializer(serializers.Serializer):
    effectiveness_review = serializers.CharField(max_length=4000)


class RaiseNonconformitySerializer(serializers.Serializer):
    owner = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.filter(is_active=True))


class ReviewCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    held_on = serializers.DateField()
    attendees = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AimsHistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class AimsHistoryEntrySerializer(serializers.Serializer):
    history_id = serializers.IntegerField(source="record.history_id")
    at = serializers.DateTimeField(source="record.history_date")
    user = UserRefSerializer(source="record.history_user", allow_null=True)
    type = serializers.CharField(source="record.get_history_type_display")
    reason = serializers.CharField(source="record.history_change_reason", allow_null=True)
    changes = AimsHistoryChangeSerializer(many=True)
