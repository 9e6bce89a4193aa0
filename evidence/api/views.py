"""The evidence explorer's API (read-only, under /api/v1/evidence/): events, sources, checkpoints and control
check results, filtered with the same FilterSets as the pages, paginated with `count`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.permissions import ModelPermissions, has_perms
from controls.models import ControlCheckResult
from evidence import selectors
from evidence.api.serializers import (
    CheckpointSerializer,
    CheckResultSerializer,
    EventSerializer,
    SourceSerializer,
)
from evidence.filtersets import CheckpointFilterSet, CheckResultFilterSet, EventFilterSet
from evidence.models import Checkpoint, Event, EvidenceSource


class CanViewEvents(BasePermission):
    """Checkpoints are read with the events they sign: `view_event` and `view_evidencesource`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_perms(request.user, "evidence.view_event", "evidence.view_evidencesource")


class _ReadOnly(mixins.ListModelMixin, viewsets.GenericViewSet):
    http_method_names = ["get", "head", "options"]
    # Only the FilterSet: free ordering or search over millions of events would be an unbounded scan.
    filter_backends = [DjangoFilterBackend]


class EventViewSet(_ReadOnly):
    """Events of the sources you may read, newest first. Filter by `source`, `use_case`, `model`, `decision`,
    `kind`, `rule` (an id in `policy.rule_ids`) and a period: `date_from`/`date_to` (UTC days, inclusive) on
    `period=received` (default) or `occurred`. Without a period, the last 7 days."""

    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    queryset = Event.objects.none()
    permission_classes = [ModelPermissions, CanViewEvents]

    def get_queryset(self) -> QuerySet[Event]:
        events = selectors.events_for(self.request.user).select_related("source")
        return events.order_by("-received_at", "-chain_index")


class SourceViewSet(_ReadOnly):
    """Evidence sources (gateway deployments) and the ends of their hash chains."""

    serializer_class = SourceSerializer
    queryset = EvidenceSource.objects.none()

    def get_queryset(self) -> QuerySet[EvidenceSource]:
        return selectors.sources_for(self.request.user).prefetch_related("use_cases").order_by("name")


class CheckpointViewSet(_ReadOnly):
    """Signed daily checkpoints. Filter by `source`, `date_from`/`date_to` (days) and `key_id`. Verify a body
    with the key's public key: the signature covers `body` exactly."""

    serializer_class = CheckpointSerializer
    filterset_class = CheckpointFilterSet
    queryset = Checkpoint.objects.none()
    permission_classes = [CanViewEvents]

    def get_queryset(self) -> QuerySet[Checkpoint]:
        return selectors.checkpoints_for(self.request.user).order_by("source__name", "-day")


class CheckResultViewSet(_ReadOnly):
    """Dated results of checking that controls operate. Filter by `implementation` (code), `control`
    (requirement ref, e.g. A.6.2.8), `metric`, `outcome` and `date_from`/`date_to` (UTC days)."""

    serializer_class = CheckResultSerializer
    filterset_class = CheckResultFilterSet
    queryset = ControlCheckResult.objects.none()

    def get_queryset(self) -> QuerySet[ControlCheckResult]:
        return selectors.check_results_for(self.request.user).order_by("-period_end", "-id")


class OscalPeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField(help_text="First UTC day of the period.")
    date_to = serializers.DateField(help_text="Last UTC day of the period.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": ["The period ends before it starts."]})
        if (attrs["date_to"] - attrs["date_from"]).days > 366:
            raise serializers.ValidationError({"date_to": ["A period is at most a year."]})
        return attrs


class OscalAssessmentResultsView(APIView):
    """Control status and check results for a period as an OSCAL assessment-results document, for GRC tools
    to import: one finding per applicable Annex A control, observations from check results and evidence."""

    permission_classes = [CanViewEvents]

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
        ],
        responses={200: OpenApiTypes.OBJECT},
        operation_id="evidence_oscal_assessment_results",
    )
    def get(self, request: Request) -> Response:
        period = OscalPeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        # trestle's models take a second to import; only this view and the pack builder need them.
        from evidence.pack.oscal import assessment_results

        document = assessment_results(period.validated_data["date_from"], period.validated_data["date_to"])
        audit.record(
            AuditKind.DOWNLOAD,
            actor=request.user,
            request=request,
            summary="Exported OSCAL assessment results"[:300],
            details={k: str(v) for k, v in period.validated_data.items()},
        )
        return Response(document)
