"""API of the register: plain ViewSets for the entries, explicit views for operations (classify, model
approval, supplier assessment). Writes go through the services, so scope, history and validation are the UI's."""

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

from aims.core.api.serializers import DecideSerializer, DecisionRequestSerializer, DecisionSerializer
from aims.core.choices import DecisionStatus
from aims.core.exceptions import Conflict
from aims.core.permissions import has_perms
from registry import selectors, services
from registry.api.serializers import (
    AISystemSerializer,
    CatalogModelSerializer,
    ClassificationSerializer,
    ClassifiedSystemSerializer,
    HistoryEntrySerializer,
    ModelDecisionResultSerializer,
    SupplierAssessmentSerializer,
    SupplierSerializer,
    UseCaseSerializer,
)
from registry.filtersets import AISystemFilterSet, CatalogModelFilterSet, SupplierFilterSet, UseCaseFilterSet
from registry.models import AISystem, CatalogModel, Supplier, UseCase


class _Register(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and change; entries are never deleted (retire a system through its status)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend]  # the FilterSet searches (`q`) and sorts (`sort`), as on the pages

    def _body(self, instance: Any = None) -> dict[str, Any]:
        serializer = self.get_serializer(instance, data=self.request.data, partial=self.action == "partial_update")
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _answer(self, obj: Any, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self._reload(obj)).data, status=code)

    def _reload(self, obj: Any) -> Any:
        return self.get_queryset().get(pk=obj.pk)


class AISystemViewSet(_Register):
    """AI systems. Filter by `status`, `risk_tier`, `lifecycle_stage`, `ai_role`, `deployment`, `owner`
    (username), `business_unit`, `review_due_before`, `gpai_model`; search with `q`; sort with `sort`.
    Owners may change only their own systems; the tier is set by the classify operation."""

    serializer_class = AISystemSerializer
    filterset_class = AISystemFilterSet
    queryset = AISystem.objects.none()  # for the schema and model permissions; get_queryset scopes it

    def get_queryset(self) -> QuerySet[AISystem]:
        return selectors.ai_systems_for(self.request.user).prefetch_related("suppliers", "use_cases")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        system = services.create_ai_system(user=request.user, reason=reason, **data)
        return self._answer(system, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        system = self.get_object()
        data = self._body(system)
        reason = data.pop("reason", "")
        change = services.update_ai_system(system=system, user=request.user, reason=reason, **data)
        return self._answer(change.obj)


class UseCaseViewSet(_Register):
    """Use cases, by `key`. Filter by `ai_system` (id), `fail_mode`, `redaction_required`, `active`,
    `data_category`; search with `q`; sort with `sort`. `allowed_models` lists the approved models only."""

    serializer_class = UseCaseSerializer
    filterset_class = UseCaseFilterSet
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = UseCase.objects.none()

    def get_queryset(self) -> QuerySet[UseCase]:
        return selectors.use_cases_for(self.request.user)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        system = data.pop("ai_system")
        use_case = services.create_use_case(ai_system=system, user=request.user, reason=reason, **data)
        return self._answer(use_case, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        use_case = self.get_object()
        data = self._body(use_case)
        reason = data.pop("reason", "")
        for immutable, current in (("key", use_case.key), ("ai_system", use_case.ai_system)):
            if immutable in data and data.pop(immutable) != current:
                raise Conflict(f"A use case's {immutable.replace('_', ' ')} never changes.")
        saved = services.update_use_case(use_case=use_case, user=request.user, reason=reason, **data)
        return self._answer(saved)


class CatalogModelViewSet(_Register):
    """The model catalog. Filter by `provider`, `gateway_name`, `hosting_region`, `supplier` (id), `use_case`
    (key) and `approval_status`; search with `q`; sort with `sort`. The approval status is computed from the
    MODEL_APPROVAL decision rows, so it cannot disagree with /api/v1/decisions/."""

    serializer_class = CatalogModelSerializer
    filterset_class = CatalogModelFilterSet
    queryset = CatalogModel.objects.none()

    def get_queryset(self) -> QuerySet[CatalogModel]:
        return selectors.catalog_models_for(self.request.user).prefetch_related("use_cases")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        model = services.create_catalog_model(user=request.user, reason=reason, **data)
        return self._answer(model, status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        model = self.get_object()
        data = self._body(model)
        reason = data.pop("reason", "")
        change = services.update_catalog_model(model=model, user=request.user, reason=reason, **data)
        return self._answer(change.obj)


class SupplierViewSet(_Register):
    """Suppliers with their assessments (A.10.3). Filter by `kind`, `critical`, `country`; search with `q`."""

    serializer_class = SupplierSerializer
    filterset_class = SupplierFilterSet
    queryset = Supplier.objects.none()

    def get_queryset(self) -> QuerySet[Supplier]:
        return selectors.suppliers_for(self.request.user).prefetch_related("assessments__assessor")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._body()
        reason = data.pop("reason", "")
        return self._answer(
            services.create_supplier(user=request.user, reason=reason, **data), status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        supplier = self.get_object()
        data = self._body(supplier)
        reason = data.pop("reason", "")
        return self._answer(services.update_supplier(supplier=supplier, user=request.user, reason=reason, **data))


# --- operations -----------------------------------------------------------------------------------------------


class _Operation(APIView):
    permission_classes = [IsAuthenticated]
    required_perms: tuple[str, ...] = ()

    def check(self, request: Request) -> None:
        if not has_perms(request.user, *self.required_perms):
            self.permission_denied(request, message="You may not do this.")


def _material(change: services.Change) -> dict[str, Any]:
    return {"system_ids": sorted(change.material.system_ids), "reasons": list(change.material.reasons)}


class ClassifyView(_Operation):
    """Answer the EU AI Act questionnaire for an AI system; the tier, routes and rationale follow from it.
    Answering again reclassifies (kept in the history). Owners classify only their own systems."""

    required_perms = ("registry.view_aisystem", "registry.change_aisystem")

    @extend_schema(
        request=ClassificationSerializer,
        responses=ClassifiedSystemSerializer,
        operation_id="registry_ai_systems_classify",
    )
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        system = get_object_or_404(selectors.ai_systems_for(request.user), pk=pk)
        body = ClassificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        answers = dict(body.validated_data)
        reason = answers.pop("reason", "")
        change = services.classify_ai_system(system=system, user=request.user, answers=answers, reason=reason)
        data = AISystemSerializer(selectors.ai_systems_for(request.user).get(pk=change.obj.pk)).data
        return Response({**data, "material_change": _material(change)})


class ModelRequestApprovalView(_Operation):
    """Ask the committee to approve a catalog model as it is now (four eyes)."""

    required_perms = ("registry.view_catalogmodel", "core.request_decision")
    extra_error_codes = {"POST": ("409",)}

    @extend_schema(
        request=DecisionRequestSerializer,
        responses={201: DecisionSerializer},
        operation_id="registry_models_request_approval",
    )
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        model = get_object_or_404(selectors.catalog_models_for(request.user), pk=pk)
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.request_model_approval(model=model, user=request.user, note=body.validated_data["note"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class _ModelDecision(_Operation):
    required_perms = ("registry.view_catalogmodel", "core.view_decision", "core.decide_decision")
    extra_error_codes = {"POST": ("409",)}
    approve = True

    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        model = get_object_or_404(selectors.catalog_models_for(request.user), pk=pk)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pending = selectors.model_decisions(model, request.user).filter(status=DecisionStatus.PENDING).first()
        if pending is None:
            raise Conflict("No approval of this model is pending.")
        change = services.decide_model(
            decision=pending, user=request.user, approve=self.approve, rationale=body.validated_data["rationale"]
        )
        model = selectors.catalog_models_for(request.user).get(pk=model.pk)
        return Response(
            {
                "decision": DecisionSerializer(change.obj).data,
                "model": CatalogModelSerializer(model).data,
                "material_change": _material(change),
            }
        )


class ModelApproveView(_ModelDecision):
    """Approve the pending approval of a model (not as its requester). The model is approved from then on."""

    @extend_schema(
        request=DecideSerializer, responses=ModelDecisionResultSerializer, operation_id="registry_models_approve"
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class ModelRejectView(_ModelDecision):
    """Reject the pending approval of a model, with a rationale."""

    approve = False

    @extend_schema(
        request=DecideSerializer, responses=ModelDecisionResultSerializer, operation_id="registry_models_reject"
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)


class _History(_Operation):
    """The History tab of the pages, as data: every version with who, when, why and a field-by-field diff."""

    lookup = "pk"

    def entry(self, request: Request, value: Any) -> Any:
        raise NotImplementedError

    def get(self, request: Request, **kwargs: Any) -> Response:
        self.check(request)
        obj = self.entry(request, kwargs[self.lookup])
        return Response(HistoryEntrySerializer(selectors.history_of(obj), many=True).data)


class AISystemHistoryView(_History):
    required_perms = ("registry.view_aisystem",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="registry_ai_systems_history")
    def get(self, request: Request, **kwargs: Any) -> Response:
        return super().get(request, **kwargs)

    def entry(self, request: Request, value: Any) -> Any:
        return get_object_or_404(selectors.ai_systems_for(request.user), pk=value)


class UseCaseHistoryView(_History):
    required_perms = ("registry.view_usecase",)
    lookup = "key"

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="registry_use_cases_history")
    def get(self, request: Request, **kwargs: Any) -> Response:
        return super().get(request, **kwargs)

    def entry(self, request: Request, value: Any) -> Any:
        return get_object_or_404(selectors.use_cases_for(request.user), key=value)


class CatalogModelHistoryView(_History):
    required_perms = ("registry.view_catalogmodel",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="registry_models_history")
    def get(self, request: Request, **kwargs: Any) -> Response:
        return super().get(request, **kwargs)

    def entry(self, request: Request, value: Any) -> Any:
        return get_object_or_404(selectors.catalog_models_for(request.user), pk=value)


class SupplierHistoryView(_History):
    required_perms = ("registry.view_supplier",)

    @extend_schema(responses=HistoryEntrySerializer(many=True), operation_id="registry_suppliers_history")
    def get(self, request: Request, **kwargs: Any) -> Response:
        return super().get(request, **kwargs)

    def entry(self, request: Request, value: Any) -> Any:
        return get_object_or_404(selectors.suppliers_for(request.user), pk=value)


class SupplierAssessView(_Operation):
    """Record an assessment of a supplier (A.10.3)."""

    required_perms = ("registry.view_supplier", "registry.add_supplierassessment")

    @extend_schema(
        request=SupplierAssessmentSerializer,
        responses={201: SupplierAssessmentSerializer},
        operation_id="registry_suppliers_assess",
    )
    def post(self, request: Request, pk: int) -> Response:
        self.check(request)
        supplier = get_object_or_404(selectors.suppliers_for(request.user), pk=pk)
        body = SupplierAssessmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        assessment = services.record_assessment(supplier=supplier, user=request.user, **body.validated_data)
        return Response(SupplierAssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
