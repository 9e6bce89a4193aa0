"""API of the management system, under /api/v1/aims/. Plain ViewSets for the records (generated from
resources.py), explicit views for operations (approve, record, raise, close, triage). Writes go through the
services, so permissions, history and validation are the pages'."""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core.api.serializers import DecisionRequestSerializer, DecisionSerializer
from aims.core.exceptions import Conflict
from aims.core.permissions import ModelPermissions, has_perms
from aims.governance import selectors, services
from aims.governance.api.serializers import (
    AimsHistoryEntrySerializer,
    CloseSerializer,
    ConcernRaiseSerializer,
    ConcernSerializer,
    KpiMeasurementSerializer,
    KpiValueSerializer,
    OrganisationProfileSerializer,
    RaiseNonconformitySerializer,
    ReviewCreateSerializer,
    ScopeSerializer,
    TriageSerializer,
    VersionCreateSerializer,
    serializer_for,
)
from aims.governance.filtersets import filterset_for
from aims.governance.models import (
    AimsScope,
    AuditFinding,
    Concern,
    DocumentVersion,
    Kpi,
    ManagementReview,
    Nonconformity,
)
from aims.governance.resources import BY_SLUG, Resource

NONCONFORMITY_SERIALIZER = serializer_for(BY_SLUG["nonconformity"])


class OrganisationProfileView(APIView):
    """The organisation running the AIMS. GET reads it; PATCH changes it (officers), kept in the history."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OrganisationProfileSerializer)
    def get(self, request: Request) -> Response:
        if not has_perms(request.user, "governance.view_organisationprofile"):
            self.permission_denied(request)
        profile = selectors.organisation_profile(request.user)
        if profile is None:
            raise Http404
        return Response(OrganisationProfileSerializer(profile).data)

    @extend_schema(request=OrganisationProfileSerializer, responses=OrganisationProfileSerializer)
    def patch(self, request: Request) -> Response:
        if not has_perms(request.user, "governance.view_organisationprofile", "governance.change_organisationprofile"):
            self.permission_denied(request)
        profile = selectors.organisation_profile(request.user)
        body = OrganisationProfileSerializer(profile, data=request.data, partial=profile is not None)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = data.pop("reason", "")
        profile = services.update_organisation_profile(user=request.user, reason=reason, **data)
        return Response(OrganisationProfileSerializer(profile).data)


class OrganisationRequestApprovalView(APIView):
    """Ask the committee to approve the current version of the profile (four eyes)."""

    permission_classes = [IsAuthenticated]
    extra_error_codes = {"POST": ("409",)}

    @extend_schema(request=DecisionRequestSerializer, responses={201: DecisionSerializer})
    def post(self, request: Request) -> Response:
        if not has_perms(request.user, "governance.view_organisationprofile", "core.request_decision"):
            self.permission_denied(request)
        profile = selectors.organisation_profile(request.user)
        if profile is None:
            raise Http404
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.request_profile_approval(
            profile=profile, user=request.user, note=body.validated_data["note"]
        )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


# --- records ----------------------------------------------------------------------------------------------


class _Records(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change; governed records are never deleted."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    permission_classes = [IsAuthenticated, ModelPermissions]
    extra_error_codes = {"POST": ("409",), "PUT": ("409",), "PATCH": ("409",)}
    resource: Resource

    def get_queryset(self) -> QuerySet:
        return selectors.records_for(self.resource.model, self.request.user)

    def _body(self, instance: Any = None) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=self.action == "partial_update")
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        obj = services.create_record(model=self.resource.model, user=request.user, reason=reason, **data)
        return self._answer(obj, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        data = self._body(obj)
        reason = data.pop("reason", "")
        parent = self.resource.parent
        if parent and parent in data and data.pop(parent) != getattr(obj, parent):
            raise Conflict("A record never moves to another parent.")
        saved = services.update_record(obj=obj, user=request.user, reason=reason, **data)
        return self._answer(saved)


def viewset_for(resource: Resource) -> type[_Records]:
    serializer = serializer_for(resource)
    doc = (
        f"{resource.title}: {(resource.model.__doc__ or '').strip().splitlines()[0]} "
        "Every change is kept in the history (see the history route)."
    )
    attrs: dict[str, Any] = {
        "resource": resource,
        "serializer_class": serializer,
        "queryset": resource.model._default_manager.none(),
        "filter_backends": [DjangoFilterBackend],
        "filterset_class": filterset_for(resource),
        "__doc__": doc,
    }
    if resource.slug == "version":
        attrs["create"] = _create_version
    if resource.slug == "review":
        attrs["create"] = _create_review
    return type(f"{resource.model.__name__}ViewSet", (_Records,), attrs)


@extend_schema(request=VersionCreateSerializer)
def _create_version(self: _Records, request: Request, *args: Any, **kwargs: Any) -> Response:
    from aims.governance.models import Document

    document_id = request.data.get("document") if hasattr(request.data, "get") else None
    if not isinstance(document_id, int) or isinstance(document_id, bool):
        raise ValidationError({"document": ["Give the document's id."]})
    document = get_object_or_404(selectors.records_for(Document, request.user), pk=document_id)
    body = VersionCreateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    version = services.add_document_version(document=document, user=request.user, **body.validated_data)
    return self._answer(version, status.HTTP_201_CREATED)


@extend_schema(request=ReviewCreateSerializer)
def _create_review(self: _Records, request: Request, *args: Any, **kwargs: Any) -> Response:
    body = ReviewCreateSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    review = services.create_management_review(user=request.user, **body.validated_data)
    return self._answer(review, status.HTTP_201_CREATED)


def history_view_for(resource: Resource) -> type[APIView]:
    class HistoryView(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(responses=AimsHistoryEntrySerializer(many=True), operation_id=f"aims_{resource.slug}_history")
        def get(self, request: Request, pk: int) -> Response:
            if not has_perms(request.user, resource.view_perm):
                self.permission_denied(request)
            obj = get_object_or_404(selectors.records_for(resource.model, request.user), pk=pk)
            return Response(AimsHistoryEntrySerializer(selectors.history_of(obj), many=True).data)

    HistoryView.__name__ = f"{resource.model.__name__}HistoryView"
    HistoryView.__doc__ = f"The history of one {resource.model._meta.verbose_name}: who changed what, when, why."
    return HistoryView


# --- operations ----------------------------------------------------------------------------------------------


class _Operation(APIView):
    permission_classes = [IsAuthenticated]
    required_perms: tuple[str, ...] = ()
    extra_error_codes = {"POST": ("409",)}

    def check(self, request: Request) -> None:
        if not has_perms(request.user, *self.required_perms):
            self.permission_denied(request, message="You may not do this.")


class VersionRequestApprovalView(_Operation):
    """Ask the committee to approve a document version (four eyes: the requester cannot decide). Once approved,
    the version is read-only."""

    required_perms = ("governance.view_documentversion", "core.request_decision")

    @extend_schema(request=DecisionRequestSerializer, responses={201: DecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        version = get_object_or_404(selectors.records_for(DocumentVersion, request.user), pk=pk)
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.request_document_approval(version=version, user=request.user, **body.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class KpiMeasurementsView(_Operation):
    """A KPI's progress history (GET) and recording a measured value (POST)."""

    @extend_schema(responses=KpiMeasurementSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        if not has_perms(request.user, "governance.view_kpi"):
            self.permission_denied(request)
        kpi = get_object_or_404(selectors.records_for(Kpi, request.user), pk=pk)
        return Response(KpiMeasurementSerializer(kpi.measurements.all(), many=True).data)

    @extend_schema(request=KpiValueSerializer, responses={201: KpiMeasurementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        if not has_perms(request.user, "governance.view_kpi", "governance.add_kpimeasurement"):
            self.permission_denied(request)
        kpi = get_object_or_404(selectors.records_for(Kpi, request.user), pk=pk)
        body = KpiValueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        measurement = services.record_kpi_value(kpi=kpi, user=request.user, **body.validated_data)
        return Response(KpiMeasurementSerializer(measurement).data, status=status.HTTP_201_CREATED)


class FindingRaiseView(_Operation):
    """Raise a nonconformity from a major or minor nonconformity finding."""

    required_perms = ("governance.view_auditfinding", "governance.add_nonconformity")

    @extend_schema(request=RaiseNonconformitySerializer, responses={201: NONCONFORMITY_SERIALIZER})
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        finding = get_object_or_404(selectors.records_for(AuditFinding, request.user), pk=pk)
        body = RaiseNonconformitySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        nc = services.raise_nonconformity_from_finding(finding=finding, user=request.user, **body.validated_data)
        return Response(NONCONFORMITY_SERIALIZER(nc).data, status=status.HTTP_201_CREATED)


class NonconformityCloseView(_Operation):
    """Close a nonconformity after its effectiveness review (officers)."""

    required_perms = ("governance.view_nonconformity", "governance.change_nonconformity")

    @extend_schema(request=CloseSerializer, responses={200: NONCONFORMITY_SERIALIZER})
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        nc = get_object_or_404(selectors.records_for(Nonconformity, request.user), pk=pk)
        body = CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        nc = services.close_nonconformity(nonconformity=nc, user=request.user, **body.validated_data)
        return Response(NONCONFORMITY_SERIALIZER(nc).data)


class ReviewRequestClosureView(_Operation):
    """Ask the committee to close a management review (four eyes: REVIEW_CLOSURE)."""

    required_perms = ("governance.view_managementreview", "core.request_decision")

    @extend_schema(request=DecisionRequestSerializer, responses={201: DecisionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        review = get_object_or_404(selectors.records_for(ManagementReview, request.user), pk=pk)
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.request_review_closure(review=review, user=request.user, **body.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class ScopeView(APIView):
    """The AIMS scope statement and the AI systems in and out of scope (4.3). PATCH: officers."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ScopeSerializer)
    def get(self, request: Request) -> Response:
        if not has_perms(request.user, "governance.view_aimsscope"):
            self.permission_denied(request)
        scope = selectors.aims_scope(request.user)
        if scope is None:
            raise Http404
        return Response(ScopeSerializer(scope).data)

    @extend_schema(request=ScopeSerializer, responses=ScopeSerializer)
    def patch(self, request: Request) -> Response:
        if not has_perms(request.user, "governance.view_aimsscope", "governance.change_aimsscope"):
            self.permission_denied(request)
        scope = selectors.aims_scope(request.user)
        body = ScopeSerializer(scope, data=request.data, partial=scope is not None)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = data.pop("reason", "")
        if scope is None:
            scope = services.create_record(model=AimsScope, user=request.user, reason=reason, **data)
        else:
            scope = services.update_record(obj=scope, user=request.user, reason=reason, **data)
        return Response(ScopeSerializer(AimsScope.objects.get(pk=scope.pk)).data)


class ConcernViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Concerns about AI systems (A.3.3). Anyone logged in may raise one (POST), with or without a role; reading
    them needs `view_concern`, and the reporter of a confidential concern shows only to officers."""

    serializer_class = ConcernSerializer
    queryset = Concern.objects.none()
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Concern]:
        return selectors.records_for(Concern, self.request.user).select_related("reporter")

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if request.method in {"GET", "HEAD", "OPTIONS"} and not has_perms(request.user, "governance.view_concern"):
            self.permission_denied(request)

    @extend_schema(request=ConcernRaiseSerializer, responses={201: ConcernSerializer})
    def create(self, request: Request) -> Response:
        from registry.models import AISystem

        body = ConcernRaiseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        system_id = data.pop("ai_system", None)
        system = AISystem.objects.filter(pk=system_id).first() if system_id is not None else None
        if system_id is not None and system is None:
            raise ValidationError({"ai_system": ["No AI system has this id."]})
        concern = services.raise_concern(user=request.user, ai_system=system, **data)
        return Response(ConcernSerializer(concern, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ConcernTriageView(_Operation):
    """Triage a concern: status, notes, and optionally open an incident from it (officers)."""

    required_perms = ("governance.view_concern", "governance.change_concern")

    @extend_schema(request=TriageSerializer, responses=ConcernSerializer)
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        concern = get_object_or_404(selectors.records_for(Concern, request.user), pk=pk)
        body = TriageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        concern = services.triage_concern(concern=concern, user=request.user, **body.validated_data)
        return Response(ConcernSerializer(concern, context={"request": request}).data)
