"""Serializers of the reports API."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from aims.core.api.serializers import UserRefSerializer
from aims.reports.choices import ReportKind, RunStatus
from aims.reports.kinds.base import AS_OF, DATE_FROM, DATE_TO, SEED
from aims.reports.models import ReportRun


def _one_of(values: list[str]) -> str:
    return "^(" + "|".join(re.escape(v) for v in values) + ")$"


# Described by a pattern, not an enum: drf-spectacular names every enum after its field, and "kind" and "status"
# are taken by other apps; an enum needs SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] entries (the lead's settings).
@extend_schema_field(
    {
        "type": "string",
        "pattern": _one_of(list(ReportKind.values)),
        "description": "One of: " + ", ".join(ReportKind.values),
    }
)
class KindField(serializers.ChoiceField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "pattern": _one_of(list(RunStatus.values)),
        "description": "One of: " + ", ".join(RunStatus.values),
    }
)
class StatusField(serializers.ChoiceField):
    pass


class ParametersSerializer(serializers.Serializer):
    """The parameters a kind may take; each kind says which (GET /api/v1/reports/kinds/)."""

    as_of = serializers.DateField(required=False, help_text="The day the SoA was in force. Default: today.")
    date_from = serializers.DateField(required=False, help_text="First day of the period.")
    date_to = serializers.DateField(required=False, help_text="Last day of the period. Default: today.")
    seed = serializers.IntegerField(required=False, min_value=0, help_text="Evidence packs: the sampling seed.")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - {AS_OF, DATE_FROM, DATE_TO, SEED})
            if unknown:
                raise serializers.ValidationError({name: ["Unknown parameter."] for name in unknown})
        return super().to_internal_value(data)


class ReportRequestSerializer(serializers.Serializer):
    kind = KindField(choices=ReportKind.choices)
    parameters = ParametersSerializer(required=False)


class ReportRunSerializer(serializers.ModelSerializer):
    kind = KindField(choices=ReportKind.choices, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status = StatusField(choices=RunStatus.choices, read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = UserRefSerializer(read_only=True)
    url = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField(help_text="Set once the run is done.")
    filename = serializers.CharField(source="download_name", read_only=True)

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "url",
            "kind",
            "kind_display",
            "parameters",
            "status",
            "status_display",
            "progress",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "filename",
            "size",
            "sha256",
            "data_sha256",
            "pages",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    def get_url(self, run: ReportRun) -> str:
        return reverse("api:report-run-detail", kwargs={"pk": run.pk}, request=self.context.get("request"))

    def get_download_url(self, run: ReportRun) -> str | None:
        if run.status != RunStatus.DONE:
            return None
        return reverse("api:report-run-download", kwargs={"pk": run.pk}, request=self.context.get("request"))


class KindSerializer(serializers.Serializer):
    key = KindField(choices=ReportKind.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    params = serializers.ListField(child=serializers.CharField(), help_text="Parameters the kind takes.")
    file_type = serializers.CharField(source="content_type")
