"""API of policy bundles under /api/v1/policies/: revisions (read-only), the draft, request publication.

The committee approves or rejects a requested revision through the decisions API
(/api/v1/decisions/{id}/approve/), since publication is nothing but that decision.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core.permissions import has_perms
from enforcement.bundle import revision
from policies import selectors, services
from policies.api.serializers import (
    DraftSerializer,
    PolicyBundleDetailSerializer,
    PolicyBundleSerializer,
    PublicationRequestSerializer,
)
from policies.models import PolicyBundle

VIEW = "policies.view_policybundle"


class PolicyBundleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bundle revisions, newest first, with who requested and who approved each publication."""

    queryset = PolicyBundle.objects.none()  # for the schema; get_queryset scopes by user

    def get_queryset(self) -> Any:
        return selectors.bundles_for(self.request.user)

    def get_serializer_class(self) -> Any:
        return PolicyBundleDetailSerializer if self.action == "retrieve" else PolicyBundleSerializer

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        return selectors.with_people(list(page)) if page is not None else None

    def get_object(self) -> Any:
        obj = super().get_object()
        return selectors.with_people([obj])[0]


class _Operation(APIView):
    permission_classes = [IsAuthenticated]
    required_perms: tuple[str, ...] = ()

    def check(self, request: Request) -> None:
        if not has_perms(request.user, *self.required_perms):
            self.permission_denied(request, message="You may not do this.")


class DraftView(_Operation):
    """The bundle the register implies now, and how it differs from the current (published) one."""

    required_perms = (VIEW,)

    @extend_schema(responses=DraftSerializer, operation_id="policies_bundles_draft")
    def get(self, request: Request) -> Response:
        self.check(request)
        content = services.compile_draft()
        current = selectors.current_bundle()
        diff = selectors.diff(current.content if current else None, content)
        return Response(
            {
                "revision": revision(content),
                "current_revision": current.revision if current else None,
                "has_changes": diff.has_changes,
                "diff": diff.as_json(),
                "content": content,
            }
        )


class RequestPublicationView(_Operation):
    """Compile the register into a new revision and ask the committee to publish it (four eyes)."""

    required_perms = (VIEW, "policies.add_policybundle", "core.request_decision")
    extra_error_codes = {"POST": ("409",)}

    @extend_schema(
        request=PublicationRequestSerializer,
        responses={201: PolicyBundleDetailSerializer},
        operation_id="policies_bundles_request_publication",
    )
    def post(self, request: Request) -> Response:
        self.check(request)
        body = PublicationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bundle = services.request_publication(user=request.user, note=body.validated_data["note"])
        annotated = selectors.with_people([selectors.bundles_for(request.user).get(pk=bundle.pk)])[0]
        return Response(PolicyBundleDetailSerializer(annotated).data, status=status.HTTP_201_CREATED)
