"""API of manual evidence artifacts (routed under /api/v1/controls/evidence-artifacts/): list, read, upload
(multipart: the fields and one or more `files`), and download a file as an attachment."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.exceptions import ServiceError
from aims.core.permissions import has_perms
from controls.models import ControlImplementation
from evidence import artifact_selectors as selectors
from evidence import artifacts_services as services
from evidence.models import ArtifactFile, EvidenceArtifact


class ArtifactFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ArtifactFile
        fields = ["id", "original_name", "size", "content_type", "sha256", "uploaded_at"]


class ArtifactSerializer(serializers.ModelSerializer):
    """A manual evidence artifact. It counts for its implementations from `effective_on` until `expires_on`."""

    implementations = serializers.SlugRelatedField(
        many=True,
        required=False,
        slug_field="code",
        queryset=ControlImplementation.objects.all(),
        help_text="Codes of the control implementations it evidences.",
    )
    files = ArtifactFileSerializer(many=True, read_only=True)
    uploads = serializers.ListField(
        child=serializers.FileField(), write_only=True, min_length=1, max_length=services.MAX_FILES_PER_UPLOAD
    )
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=100)

    class Meta:
        model = EvidenceArtifact
        fields = [
            "id",
            "title",
            "description",
            "effective_on",
            "expires_on",
            "implementations",
            "files",
            "uploads",
            "uploaded_by",
            "created_at",
            "reason",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs: dict) -> dict:
        effective = attrs.get("effective_on", getattr(self.instance, "effective_on", None))
        expires = attrs.get("expires_on", getattr(self.instance, "expires_on", None))
        if effective and expires and expires <= effective:
            raise serializers.ValidationError({"expires_on": ["Must be after the effective date."]})
        return attrs


class ArtifactViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Manual evidence artifacts. Officers upload one (multipart, the files as `uploads`); each file's type is
    checked from its content (415 otherwise) and its size limited (413). PATCH (JSON) changes the text, the
    dates and the implementations; files are only ever added."""

    serializer_class = ArtifactSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends: list = []
    queryset = EvidenceArtifact.objects.none()
    extra_error_codes = {"POST": ("413", "415")}

    def get_queryset(self) -> QuerySet[EvidenceArtifact]:
        return selectors.artifacts_for(self.request.user)

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        artifact = services.create_artifact(
            user=request.user,
            title=data["title"],
            description=data.get("description", ""),
            effective_on=data["effective_on"],
            expires_on=data["expires_on"],
            implementations=data.get("implementations", []),
            files=data["uploads"],
            reason=data.get("reason", ""),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=artifact.pk)).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request: Request, *args: object, **kwargs: object) -> Response:
        artifact = self.get_object()
        body = self.get_serializer(artifact, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if "uploads" in data:
            raise ServiceError("Files are added by upload, not by PATCH.", fields={"uploads": ["Not allowed here."]})
        artifact = services.update_artifact(
            artifact=artifact,
            user=request.user,
            reason=data.pop("reason", ""),
            implementations=data.pop("implementations", None),
            **data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=artifact.pk)).data)


class ArtifactFileDownloadView(APIView):
    """Download one file of an artifact, as an attachment with its detected content type."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        # The file's own detected type (PDF, image, spreadsheet...), whatever was uploaded.
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        operation_id="controls_evidence_file_download",
    )
    def get(self, request: Request, pk: int) -> FileResponse:
        if not has_perms(request.user, "evidence.view_evidenceartifact", "evidence.view_artifactfile"):
            self.permission_denied(request, message="You may not do this.")
        stored = get_object_or_404(selectors.files_for(request.user), pk=pk)
        try:
            handle = stored.file.open("rb")
        except FileNotFoundError:
            # The row outlived its file (storage restored from an older backup): say so instead of failing.
            raise NotFound("The stored file is missing from the evidence storage.") from None
        audit.record(
            AuditKind.DOWNLOAD,
            actor=request.user,
            request=request,
            subject=stored,
            summary=f"Downloaded evidence file {stored.original_name}"[:300],
            details={"artifact": stored.artifact_id, "sha256": stored.sha256},
        )
        response = FileResponse(
            handle, as_attachment=True, filename=stored.original_name, content_type=stored.content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
