"""Read-only API of the control catalog: frameworks, requirements (with their crosswalk) and crosswalk links."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets
from rest_framework.serializers import BaseSerializer

from controls import selectors
from controls.api.serializers import (
    FrameworkSerializer,
    LinkSerializer,
    RequirementDetailSerializer,
    RequirementSerializer,
)
from controls.filtersets import CrosswalkLinkFilterSet, RequirementFilterSet
from controls.models import CrosswalkLink, Framework, Requirement


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
