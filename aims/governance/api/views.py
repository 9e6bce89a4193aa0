"""API for the organisation profile."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core.api.serializers import DecisionRequestSerializer, DecisionSerializer
from aims.core.permissions import has_perms
from aims.governance import selectors, services
from aims.governance.api.serializers import OrganisationProfileSerializer


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
