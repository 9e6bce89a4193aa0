"""The reports API under /api/v1/reports/: ask for a report (202 with the queued run), follow its status and
progress, list runs (with `count`), download the file, and list the kinds one may ask for."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.reports import kinds, selectors, services
from aims.reports.api.serializers import KindSerializer, ReportRequestSerializer, ReportRunSerializer
from aims.reports.choices import RunStatus
from aims.reports.models import ReportRun
from aims.reports.views import file_response


class ReportRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Report runs this person may see; POST asks for a new one, rendered in the background."""

    serializer_class = ReportRunSerializer
    queryset = ReportRun.objects.none()
    ordering_fields = ["created_at"]
    search_fields = ["kind"]
    filterset_fields = ["kind", "status"]
    # 403 also when the kind needs read rights the person lacks.
    extra_error_codes = {"POST": ("403",)}

    def get_queryset(self) -> QuerySet[ReportRun]:
        return selectors.runs_for(self.request.user)

    @extend_schema(
        request=ReportRequestSerializer,
        responses={202: ReportRunSerializer},
        description="Queue a report. The answer is the run, `queued`; follow `url` until `status` is `done`, "
        "then GET `download_url`. Unknown kinds and bad parameters answer 400 naming the field.",
    )
    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.request_report(
            user=request.user,
            kind=body.validated_data["kind"],
            parameters=body.validated_data.get("parameters") or {},
        )
        data = self.get_serializer(self.get_queryset().get(pk=run.pk)).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


class ReportDownloadView(APIView):
    """The run's file, as an attachment; recorded in the audit trail with the file's SHA-256."""

    queryset = ReportRun.objects.none()
    extra_error_codes = {"GET": ("404",)}

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, (200, "application/zip"): OpenApiTypes.BINARY},
        operation_id="reports_download",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        run = get_object_or_404(selectors.runs_for(request.user), pk=pk)
        if run.status != RunStatus.DONE or not run.file:
            raise Http404("The report is not ready.")
        try:
            response = file_response(run)
        except Http404 as missing:
            raise NotFound(str(missing)) from None
        services.record_download(run=run, user=request.user, request=request)
        return response


class ReportKindListView(APIView):
    """The report kinds this person may ask for, with the parameters each takes."""

    queryset = ReportRun.objects.none()

    @extend_schema(responses={200: KindSerializer(many=True)}, operation_id="reports_kinds")
    def get(self, request: Request) -> Response:
        return Response(KindSerializer(kinds.kinds_for(request.user), many=True).data)
