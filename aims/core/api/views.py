"""API for decision rows: read them; approve, reject or withdraw through explicit operations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core import selectors, services
from aims.core.api.serializers import DecideSerializer, DecisionSerializer
from aims.core.filtersets import DecisionFilterSet
from aims.core.models import Decision
from aims.core.permissions import has_perms


class DecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Governance decisions: who requested and who decided what, on which version, and when."""

    serializer_class = DecisionSerializer
    filterset_class = DecisionFilterSet
    ordering_fields = ["requested_at", "decided_at"]
    search_fields = ["subject_label", "request_note", "rationale"]
    queryset = Decision.objects.none()  # for the schema and model permissions; get_queryset scopes it

    def get_queryset(self) -> QuerySet[Decision]:
        return selectors.decisions_for(self.request.user)


class _DecisionOperation(APIView):
    permission_classes = [IsAuthenticated]
    required_perms: tuple[str, ...] = ()
    extra_error_codes = {"POST": ("409",)}

    def get_decision(self, request: Request, pk: int) -> Decision:
        if not has_perms(request.user, "core.view_decision", *self.required_perms):
            self.permission_denied(request, message="You may not do this.")
        return get_object_or_404(selectors.decisions_for(request.user), pk=pk)


class DecisionApproveView(_DecisionOperation):
    required_perms = ("core.decide_decision",)

    @extend_schema(request=DecideSerializer, responses=DecisionSerializer, operation_id="decisions_approve")
    def post(self, request: Request, pk: int) -> Response:
        decision = self.get_decision(request, pk)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decide(
            decision=decision, user=request.user, approve=True, rationale=body.validated_data["rationale"]
        )
        return Response(DecisionSerializer(decision).data)


class DecisionRejectView(_DecisionOperation):
    required_perms = ("core.decide_decision",)

    @extend_schema(request=DecideSerializer, responses=DecisionSerializer, operation_id="decisions_reject")
    def post(self, request: Request, pk: int) -> Response:
        decision = self.get_decision(request, pk)
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decide(
            decision=decision, user=request.user, approve=False, rationale=body.validated_data["rationale"]
        )
        return Response(DecisionSerializer(decision).data)


class DecisionWithdrawView(_DecisionOperation):
    required_perms = ("core.request_decision",)

    @extend_schema(request=None, responses=DecisionSerializer, operation_id="decisions_withdraw")
    def post(self, request: Request, pk: int, *args: Any) -> Response:
        decision = self.get_decision(request, pk)
        return Response(DecisionSerializer(services.withdraw(decision=decision, user=request.user)).data)
