"""Reads of manual evidence artifacts, scoped by user (no view permission, no rows)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from evidence.models import ArtifactFile, EvidenceArtifact


def artifacts_for(user: Any) -> QuerySet[EvidenceArtifact]:
    return (
        EvidenceArtifact.objects.restrict(user, "view")
        .select_related("uploaded_by")
        .prefetch_related("implementations", Prefetch("files", queryset=ArtifactFile.objects.order_by("id")))
    )


def files_for(user: Any) -> QuerySet[ArtifactFile]:
    if not user.has_perm("evidence.view_evidenceartifact"):
        return ArtifactFile.objects.none()
    return ArtifactFile.objects.restrict(user, "view").select_related("artifact")


def artifact_history(artifact: EvidenceArtifact) -> list[Any]:
    """The artifact's own changes and its files' uploads, newest first."""
    rows = list(artifact.history.select_related("history_user"))
    rows += list(ArtifactFile.history.filter(artifact_id=artifact.pk).select_related("history_user"))
    rows.sort(key=lambda record: record.history_date, reverse=True)
    return rows
