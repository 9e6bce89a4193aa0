"""Read-only API of the control catalog: frameworks, requirements (with their crosswalk) and crosswalk links."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from aims.core.api.serializers import DecideSerializer, DecisionRequestSerializer
from aims.core.exceptions import Conflict
from aims.core.permissions import has_perms
from controls import selectors, services
from controls.api.serializers import (
    AsOfQuerySerializer,
    FrameworkSerializer,
    ImplementationSerializer,
    LinkSerializer,
    RequirementDetailSerializer,
    RequirementSerializer,
    SoADiffQuerySerializer,
    SoADiffSerializer,
    SoAEntrySerializer,
    SoAVersionSerializer,
)
from controls.filtersets import CrosswalkLinkFilterSet, ImplementationFilterSet, RequirementFilterSet
from controls.models import ControlImplementation, CrosswalkLink, Framework, Requirement, SoAEntry, SoAVersion


class _ReadOnly(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    pass


class FrameworkViewSet(_ReadOnly):
    """The frameworks of the catalog, with their data version."""

    serializer_class = FrameworkSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filter_backends: list = []
    queryset = Framework.objects.none()  # for the schema and model permissions; get_queryset scopes it

    def get_queryset(self) -> QuerySet[Framework]:
        return selectors.frameworks_for(self.request.user)


class RequirementViewSet(_ReadOnly):
    """Requirements of every framework. Filter by `framework` (slug), `kind`, `status` and `q` (or `search`);
    the detail carries both directions of the crosswalk and the enforcement metrics."""

    filterset_class = RequirementFilterSet
    search_fields = ["ref", "title", "text"]
    ordering_fields = ["position", "ref"]
    queryset = Requirement.objects.none()

    def get_queryset(self) -> QuerySet[Requirement]:
        if self.action == "retrieve":
            return selectors.requirement_detail(self.request.user)
        return selectors.requirements_for(self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        return RequirementDetailSerializer if self.action == "retrieve" else RequirementSerializer


class CrosswalkLinkViewSet(_ReadOnly):
    """Crosswalk links. Filter by `requirement` (id, either side), `framework` (slug, either side),
    `from_framework`, `to_framework`, `strength`, `inferred`, `source` and `withdrawn`."""

    serializer_class = LinkSerializer
    filterset_class = CrosswalkLinkFilterSet
    search_fields: list[str] = []
    ordering_fields: list[str] = []
    queryset = CrosswalkLink.objects.none()

    def get_queryset(self) -> QuerySet[CrosswalkLink]:
        return selectors.links_for(self.request.user)


class ImplementationViewSet(_ReadOnly, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """Controls the organisation runs. Officers create them (POST) and change them (PATCH); every change is kept
    in the history with its `reason`. Filter by `status`, `owner` (username), `requirement`, `framework`, `q`."""

    serializer_class = ImplementationSerializer
    filterset_class = ImplementationFilterSet
    search_fields = ["code", "name", "description"]
    ordering_fields = ["code", "updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = ControlImplementation.objects.none()

    def get_queryset(self) -> QuerySet[ControlImplementation]:
        return selectors.implementations_for(self.request.user)

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        implementation = services.create_implementation(
            user=request.user, reason=data.pop("reason", ""), requirements=data.pop("requirements", []), **data
        )
        return Response(self._read(implementation), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        implementation = self.get_object()
        body = self.get_serializer(implementation, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        implementation = services.update_implementation(
            implementation=implementation,
            user=request.user,
            reason=data.pop("reason", ""),
            requirements=data.pop("requirements", None),
            **data,
        )
        return Response(self._read(implementation))

    def _read(self, implementation: ControlImplementation) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=implementation.pk)).data


# --- Statement of Applicability -------------------------------------------------------------------------------


class SoAEntryViewSet(_ReadOnly, mixins.UpdateModelMixin):
    """Rows of the draft SoA, one per Annex A control and one per added control, each with its implementations
    and control status. Officers PATCH `applies`, `justification`, `implementation_status`, `owner`."""

    serializer_class = SoAEntrySerializer
    filter_backends: list = []
    http_method_names = ["get", "patch", "head", "options"]
    queryset = SoAEntry.objects.none()

    def get_queryset(self) -> QuerySet[SoAEntry]:
        return selectors.soa_entries_for(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action == "list" and getattr(self, "_page", None) is not None:
            context["soa_rows"] = {row.entry.pk: row for row in selectors.soa_rows(self._page)}
        return context

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        # Compute the status of a whole page at once rather than row by row.
        self._page = self.paginate_queryset(self.get_queryset())
        serializer = self.get_serializer(self._page, many=True)
        return self.get_paginated_response(serializer.data)

    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        entry = self.get_object()
        body = self.get_serializer(entry, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        entry = services.update_soa_entry(entry=entry, user=request.user, reason=data.pop("reason", ""), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)


class SoAVersionViewSet(_ReadOnly):
    """Frozen SoAs: proposals awaiting a decision and numbered, approved versions, each with all its rows."""

    serializer_class = SoAVersionSerializer
    filter_backends: list = []
    queryset = SoAVersion.objects.none()

    def get_queryset(self) -> QuerySet[SoAVersion]:
        return selectors.soa_versions_for(self.request.user)


class _Operation(APIView):
    permission_classes = [IsAuthenticated]
    required_perms: tuple[str, ...] = ()

    def check(self, request: Request) -> None:
        if not has_perms(request.user, *self.required_perms):
            self.permission_denied(request, message="You may not do this.")


class SoARequestApprovalView(_Operation):
    """Freeze the draft and ask the committee to approve it (four eyes). 409 while another is pending, or when
    the draft equals the version in force; 400 while a row has no justification."""

    required_perms = ("controls.view_soaentry", "core.request_decision")
    extra_error_codes = {"POST": ("409",)}

    @extend_schema(
        request=DecisionRequestSerializer, responses={201: SoAVersionSerializer}, operation_id="controls_soa_request"
    )
    def post(self, request: Request) -> Response:
        self.check(request)
        body = DecisionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.request_soa_approval(user=request.user, note=body.validated_data["note"])
        return Response(SoAVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class _SoADecision(_Operation):
    required_perms = ("controls.view_soaversion", "core.view_decision", "core.decide_decision")
    extra_error_codes = {"POST": ("409",)}
    approve = True

    def post(self, request: Request) -> Response:
        self.check(request)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pending = selectors.pending_soa_decision(request.user)
        if pending is None:
            raise Conflict("No SoA approval is pending.")
        version = services.decide_soa(
            decision=pending, user=request.user, approve=self.approve, rationale=body.validated_data["rationale"]
        )
        return Response(SoAVersionSerializer(selectors.soa_versions_for(request.user).get(pk=version.pk)).data)


class SoAApproveView(_SoADecision):
    """Approve the pending SoA (not as its requester): it becomes the next numbered version, in force at once."""

    @extend_schema(request=DecideSerializer, responses=SoAVersionSerializer, operation_id="controls_soa_approve")
    def post(self, request: Request) -> Response:
        return super().post(request)


class SoARejectView(_SoADecision):
    """Reject the pending SoA, with a rationale; the draft stays as it is for another try."""

    approve = False

    @extend_schema(request=DecideSerializer, responses=SoAVersionSerializer, operation_id="controls_soa_reject")
    def post(self, request: Request) -> Response:
        return super().post(request)


class SoADiffView(_Operation):
    """What changed between two approved versions (`old`, `new` ids), or from a version to the draft (no `new`)."""

    required_perms = ("controls.view_soaversion", "controls.view_soaentry")

    @extend_schema(parameters=[SoADiffQuerySerializer], responses=SoADiffSerializer, operation_id="controls_soa_diff")
    def get(self, request: Request) -> Response:
        self.check(request)
        query = SoADiffQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        versions = selectors.soa_versions_for(request.user).approved()
        old = get_object_or_404(versions, pk=query.validated_data["old"])
        new = get_object_or_404(versions, pk=query.validated_data["new"]) if "new" in query.validated_data else None
        diff = selectors.diff_rows(old.rows, new.rows if new else services.snapshot_rows())
        data = {"old": old, "new": new, "added": diff.added, "removed": diff.removed, "changed": diff.changed}
        return Response(SoADiffSerializer(data).data)


class SoAAsOfView(_Operation):
    """The SoA version in force on a date (the last approved by the end of that day); 404 if none was."""

    required_perms = ("controls.view_soaversion",)

    @extend_schema(parameters=[AsOfQuerySerializer], responses=SoAVersionSerializer, operation_id="controls_soa_as_of")
    def get(self, request: Request) -> Response:
        self.check(request)
        query = AsOfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        version = selectors.version_in_force(request.user, query.validated_data["date"])
        if version is None:
            raise Http404("No SoA version was in force on that date.")
        return Response(SoAVersionSerializer(version).data)
