"""API of the risks app: plain ViewSets for risks, impact assessments and criteria; explicit views for the
operations (treatment actions, acceptance, sign-off, reconciliation) and the history of each record. Writes go
through the services, so scope, four eyes, history and validation are those of the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core.api.serializers import DecisionRequestSerializer, DecisionSerializer
from aims.core.exceptions import Conflict
from aims.core.permissions import has_perms
from risks import selectors, services
from risks.api.serializers import (
    AcceptanceDecisionSerializer,
    HistoryEntrySerializer,
    ImpactAssessmentSerializer,
    ImpactSerializer,
    OwnerAcceptSerializer,
    ReconcileResultSerializer,
    RiskAcceptanceRequestSerializer,
    RiskAcceptanceSerializer,
    RiskCriteriaSerializer,
    RiskSerializer,
    RiskWithAcceptanceSerializer,
    SignOffSerializer,
    TreatmentActionSerializer,
)
from risks.filtersets import ImpactAssessmentFilterSet, RiskCriteriaFilterSet, RiskFilterSet
from risks.models import ImpactAssessment, Risk, RiskCriteria, TreatmentAction


class _Entries(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change; nothing here is deleted (close a risk through its status)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend]
    extra_error_codes = {"POST": ("409",), "PUT": ("409",), "PATCH": ("409",)}

    def _body(self, instance: Any = None) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=self.action == "partial_update")
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)


class RiskViewSet(_Entries):
    """The AI risk register. Filter by `ai_system` (id), `organisation_wide`, `source` (Annex C.3), `status`
    (as of today: an expired acceptance is open), `level` (residual), `inherent_level`, `treatment`, `owner`
    (username), the four ratings, `overdue_actions`, `review_due_before`; search with `q`; sort with `sort`.
    Owners change the risks of their own AI systems and the risks they own."""

    serializer_class = RiskSerializer
    filterset_class = RiskFilterSet
    queryset = Risk.objects.none()  # for the schema and model permissions; get_queryset scopes it

    def get_queryset(self) -> QuerySet[Risk]:
        return selectors.risks_for(self.request.user).prefetch_related(
            "controls",
            "actions__owner",
            "acceptances__decision",
            "acceptances__requested_by",
            "acceptances__accepted_by",
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        data.pop("reassess", None)
        controls = data.pop("controls", None)
        risk = services.create_risk(user=request.user, reason=reason, controls=controls, **data)
        return self._answer(risk, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        risk = self.get_object()
        data = self._body(risk)
        reason = data.pop("reason", "")
        reassess = data.pop("reassess", False)
        controls = data.pop("controls", None)
        risk = services.update_risk(
            risk=risk, user=request.user, reason=reason, reassess=reassess, controls=controls, **data
        )
        return self._answer(risk)


class ImpactAssessmentViewSet(_Entries):
    """AI system impact assessments (6.1.4, A.5), one per AI system. Filter by `ai_system` (id), `status`,
    `risk_tier`, `area`; search with `q`. `review_reason` says why one fell due for review."""

    serializer_class = ImpactAssessmentSerializer
    filterset_class = ImpactAssessmentFilterSet
    queryset = ImpactAssessment.objects.none()

    def get_queryset(self) -> QuerySet[ImpactAssessment]:
        return selectors.impact_assessments_for(self.request.user).prefetch_related("impacts")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        assessment = services.create_impact_assessment(user=request.user, reason=reason, **data)
        return self._answer(assessment, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        data = self._body(assessment)
        reason = data.pop("reason", "")
        if "ai_system" in data and data.pop("ai_system") != assessment.ai_system:
            raise Conflict("An impact assessment never moves to another AI system.")
        saved = services.update_impact_assessment(assessment=assessment, user=request.user, reason=reason, **data)
        return self._answer(saved)


class RiskCriteriaViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Risk criteria versions, newest first. Creating one puts a new version in force; earlier versions stay
    for the risks assessed with them. Filter by `in_force`."""

    serializer_class = RiskCriteriaSerializer
    filterset_class = RiskCriteriaFilterSet
    filter_backends = [DjangoFilterBackend]
    queryset = RiskCriteria.objects.none()

    def get_queryset(self) -> QuerySet[RiskCriteria]:
        return selectors.criteria_for(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        criteria = services.create_criteria_version(
            user=request.user,
            name=data["name"],
            likelihood_scale=[dict(s) for s in data["likelihood_scale"]],
            impact_scale=[dict(s) for s in data["impact_scale"]],
            levels=[dict(b) for b in data["levels"]],
            note=data.get("note", ""),
        )
        return Response(self.get_serializer(criteria).data, status=status.HTTP_201_CREATED)


# --- operations -----------------------------------------------------------------------------------------------


class _Operation(APIView):
    permission_classes = [IsAuthenticated]
    required_perms: tuple[str, ...] = ()
    extra_error_codes = {"POST": ("409",)}

    def check(self, request: Request) -> None:
        if not has_perms(request.user, *self.required_perms):
            self.permission_denied(request, message="You may not do this.")

    def risk(self, request: Request, pk: int) -> Risk:
        self.check(request)
        return get_object_or_404(selectors.risks_for(request.user), pk=pk)

    def assessment(self, request: Request, pk: int) -> ImpactAssessment:
        self.check(request)
        return get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)


def _risk_data(request: Request, risk: Risk) -> dict[str, Any]:
    return RiskSerializer(selectors.risks_for(request.user).get(pk=risk.pk)).data


class RiskActionCreateView(_Operation):
    """Add an action to a risk's treatment plan, with its owner and due date."""

    required_perms = ("risks.view_risk", "risks.change_risk", "risks.add_treatmentaction")

    @extend_schema(
        request=TreatmentActionSerializer,
        responses={201: TreatmentActionSerializer},
        operation_id="risks_risks_actions_create",
    )
    def post(self, request: Request, pk: int) -> Response:
        risk = self.risk(request, pk)
        body = TreatmentActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action = services.add_action(risk=risk, user=request.user, **body.validated_data)
        return Response(TreatmentActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionCompleteView(_Operation):
    """Mark a treatment action done (today)."""

    required_perms = ("risks.view_treatmentaction", "risks.change_treatmentaction")

    @extend_schema(request=None, responses=TreatmentActionSerializer, operation_id="risks_actions_complete")
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        action = get_object_or_404(TreatmentAction.objects.restrict(request.user, "view"), pk=pk)
        action = services.complete_action(action=action, user=request.user)
        return Response(TreatmentActionSerializer(action).data)


class RiskOwnerAcceptView(_Operation):
    """The risk's owner accepts a residual risk within the owner's threshold, with a rationale and expiry."""

    required_perms = ("risks.view_risk", "risks.change_risk")

    @extend_schema(
        request=OwnerAcceptSerializer, responses=RiskWithAcceptanceSerializer, operation_id="risks_risks_owner_accept"
    )
    def post(self, request: Request, pk: int) -> Response:
        risk = self.risk(request, pk)
        body = OwnerAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        acceptance = services.accept_as_owner(risk=risk, user=request.user, **body.validated_data)
        return Response({"risk": _risk_data(request, risk), "acceptance": _acceptance(acceptance)})


def _acceptance(acceptance: Any) -> dict[str, Any]:
    return RiskAcceptanceSerializer(acceptance).data


class RiskRequestAcceptanceView(_Operation):
    """Ask the committee to accept a residual risk above the owner's threshold (a RISK_ACCEPTANCE decision).
    Officers ask for any risk; owners for the risks of their own AI systems and the risks they own."""

    required_perms = ("risks.view_risk",)

    @extend_schema(
        request=RiskAcceptanceRequestSerializer,
        responses={201: DecisionSerializer},
        operation_id="risks_risks_request_acceptance",
    )
    def post(self, request: Request, pk: int) -> Response:
        risk = self.risk(request, pk)
        body = RiskAcceptanceRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        acceptance = services.request_acceptance(risk=risk, user=request.user, **body.validated_data)
        return Response(DecisionSerializer(acceptance.decision).data, status=status.HTTP_201_CREATED)


class RiskAcceptView(_Operation):
    """A committee member decides a pending acceptance: `approve` (default) or refuse, with a rationale; an
    `expires_on` overrides the requested expiry. Neither the requester nor the risk's owner may decide."""

    required_perms = ("risks.view_risk", "core.view_decision", "core.decide_decision")

    @extend_schema(
        request=AcceptanceDecisionSerializer,
        responses=RiskWithAcceptanceSerializer,
        operation_id="risks_risks_accept",
    )
    def post(self, request: Request, pk: int) -> Response:
        risk = self.risk(request, pk)
        body = AcceptanceDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        acceptance = services.decide_acceptance(risk=risk, user=request.user, **body.validated_data)
        return Response({"risk": _risk_data(request, risk), "acceptance": _acceptance(acceptance)})


class ImpactCreateView(_Operation):
    """Record one impact (area, scope, severity, mitigations) in an impact assessment."""

    required_perms = ("risks.view_impactassessment", "risks.change_impactassessment", "risks.add_impact")

    @extend_schema(
        request=ImpactSerializer, responses={201: ImpactSerializer}, operation_id="risks_impact_assessments_impacts"
    )
    def post(self, request: Request, pk: int) -> Response:
        assessment = self.assessment(request, pk)
        body = ImpactSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        impact = services.add_impact(assessment=assessment, user=request.user, **body.validated_data)
        return Response(ImpactSerializer(impact).data, status=status.HTTP_201_CREATED)


class RequestSignOffView(_Operation):
    """Ask a reviewer to sign the impact assessment off (an IMPACT_ASSESSMENT decision, four eyes)."""

    required_perms = ("risks.view_impactassessment", "core.request_decision")

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={201: DecisionSerializer},
        operation_id="risks_impact_assessments_request_signoff",
    )
    def post(self, request: Request, pk: int) -> Response:
        assessment = self.assessment(request, pk)
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.request_signoff(assessment=assessment, user=request.user, note=body.validated_data["note"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class SignOffView(_Operation):
    """Sign the assessment off (`approve`, the default) or send it back, as neither requester nor system owner."""

    required_perms = ("risks.view_impactassessment", "core.view_decision", "core.decide_decision")

    @extend_schema(
        request=SignOffSerializer,
        responses=ImpactAssessmentSerializer,
        operation_id="risks_impact_assessments_signoff",
    )
    def post(self, request: Request, pk: int) -> Response:
        assessment = self.assessment(request, pk)
        body = SignOffSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.decide_signoff(assessment=assessment, user=request.user, **body.validated_data)
        return Response(ImpactAssessmentSerializer(selectors.impact_assessments_for(request.user).get(pk=pk)).data)


class ReconcileView(_Operation):
    """Compare every assessment's snapshot with its AI system now; mark those that differ due for review."""

    required_perms = ("risks.view_impactassessment", "risks.edit_all_risks")

    @extend_schema(
        request=None, responses=ReconcileResultSerializer, operation_id="risks_impact_assessments_reconcile"
    )
    def post(self, request: Request) -> Response:
        self.check(request)
        return Response({"marked": services.reconcile_impact_assessments()})


class _History(_Operation):
    """The History tab of the pages, as data: every version with who, when, why and a field-by-field diff."""

    def entry(self, request: Request, pk: int) -> Any:
        raise NotImplementedError

    def get(self, request: Request, pk: int) -> Response:
        self.check(request)
        return Response(HistoryEntrySerializer(selectors.history_of(self.entry(request, pk)), many=True).data)


class RiskHistoryView(_History):
    required_perms = ("risks.view_risk",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="risks_risks_history")
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    def entry(self, request: Request, pk: int) -> Any:
        return get_object_or_404(selectors.risks_for(request.user), pk=pk)


class ImpactAssessmentHistoryView(_History):
    required_perms = ("risks.view_impactassessment",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="risks_impact_assessments_history")
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    def entry(self, request: Request, pk: int) -> Any:
        return get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)


class RiskCriteriaHistoryView(_History):
    required_perms = ("risks.view_riskcriteria",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="risks_criteria_history")
    def get(self, request: Request, pk: int) -> Response:
        return super().get(request, pk)

    def entry(self, request: Request, pk: int) -> Any:
        return get_object_or_404(selectors.criteria_for(request.user), pk=pk)
