"""Read-only API of the control catalog: frameworks, requirements (with their crosswalk) and crosswalk links."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from controls import selectors, services
from controls.api.serializers import (
    FrameworkSerializer,
    ImplementationSerializer,
    LinkSerializer,
    RequirementDetailSerializer,
    RequirementSerializer,
)
from controls.filtersets import CrosswalkLinkFilterSet, ImplementationFilterSet, RequirementFilterSet
from controls.models import ControlImplementation, CrosswalkLink, Framework, Requirement


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
