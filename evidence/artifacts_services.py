"""Writes of manual evidence artifacts, and the checks every uploaded file passes.

An upload is refused unless its bytes are one of the kinds an auditor needs and a browser cannot run: PDF, PNG,
JPEG, plain UTF-8 text (also CSV and Markdown), or an Office Open XML document or workbook. The type is read
from the content (magic bytes, the zip's [Content_Types].xml), never from the name or the browser's claim;
HTML, SVG, scripts and executables are refused even when named .txt. Files are stored under
MEDIA_ROOT/evidence/ with a random name and served only by `artifact_views.file_download`, as attachments.
"""

from __future__ import annotations

import hashlib
import zipfile
from datetime import date
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from aims.core.exceptions import NotAllowed, ServiceError
from evidence.models import ArtifactFile, EvidenceArtifact

MAX_ARTIFACT_BYTES: int = getattr(settings, "AIMS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)
MAX_FILES_PER_UPLOAD = 20
ARTIFACT_FIELDS = ("title", "description", "effective_on", "expires_on")

PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
TEXT, CSV, MARKDOWN = "text/plain; charset=utf-8", "text/csv; charset=utf-8", "text/markdown; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_OOXML_MAIN = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
# Text that a browser would render as markup, even if served as text by mistake somewhere else.
_MARKUP = (b"<!doctype", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


def detect_content_type(upload: UploadedFile) -> str:
    """The content type of an upload, from its bytes; a ServiceError names why anything else is refused."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    return _text_type(upload)


def _office_type(upload: UploadedFile) -> str:
    try:
        with zipfile.ZipFile(upload) as archive:
            # A [Content_Types].xml is small; a huge one is not an Office document worth reading.
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                raise KeyError
            types = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        raise _refused("a zip file that is not a Word document or an Excel workbook") from None
    finally:
        upload.seek(0)
    for content_type, main in _OOXML_MAIN.items():
        if main in types:
            return content_type
    raise _refused("a zip file that is not a Word document or an Excel workbook")


def _text_type(upload: UploadedFile) -> str:
    data = b"".join(upload.chunks())
    upload.seek(0)
    if b"\x00" in data:
        raise _refused("binary content of a kind that is not accepted")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _refused("binary content of a kind that is not accepted") from None
    if any(marker in text[:4096].lstrip().lower().encode() for marker in _MARKUP):
        raise _refused("HTML, SVG or XML markup")
    name = (upload.name or "").lower()
    if name.endswith(".csv"):
        return CSV
    if name.endswith((".md", ".markdown")):
        return MARKDOWN
    return TEXT


class UnsupportedFile(ServiceError):
    code = "unsupported_media_type"
    status = 415


class FileTooLarge(ServiceError):
    code = "too_large"
    status = 413


def _refused(what: str) -> ServiceError:
    return UnsupportedFile(
        f"The file is {what}. Upload a PDF, PNG, JPEG, plain text, CSV, Markdown, DOCX or XLSX file.",
        fields={"files": ["This type of file is not accepted."]},
    )


def _check_upload(upload: UploadedFile) -> str:
    """Size and type of one upload; its content type when accepted."""
    if upload.size is None or upload.size > MAX_ARTIFACT_BYTES:
        raise FileTooLarge(
            f"{upload.name} is larger than {MAX_ARTIFACT_BYTES // (1024 * 1024)} MB.",
            fields={"files": ["The file is too large."]},
        )
    if upload.size == 0:
        raise ServiceError(f"{upload.name} is empty.", fields={"files": ["The file is empty."]})
    return detect_content_type(upload)


def _store_file(
    artifact: EvidenceArtifact, upload: UploadedFile, content_type: str, user: Any, reason: str
) -> ArtifactFile:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "file").replace("\x00", "")[:255] or "file"
    stored = ArtifactFile(
        artifact=artifact,
        original_name=name,
        size=upload.size,
        content_type=content_type,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    stored.file.save("upload", upload, save=False)
    stored.full_clean()
    stored._history_user = user  # type: ignore[attr-defined]
    stored._change_reason = reason[:100]  # type: ignore[attr-defined]
    stored.save()
    return stored


def _check_files(files: list[UploadedFile]) -> list[str]:
    """Every file is checked before any is stored, so a refused upload leaves nothing on disk."""
    if not files:
        raise ServiceError("Attach at least one file.", fields={"files": ["This field is required."]})
    if len(files) > MAX_FILES_PER_UPLOAD:
        raise ServiceError(f"At most {MAX_FILES_PER_UPLOAD} files at a time.", fields={"files": ["Too many."]})
    return [_check_upload(upload) for upload in files]


@transaction.atomic
def create_artifact(
    *,
    user: Any,
    title: str,
    effective_on: date,
    expires_on: date,
    files: list[UploadedFile],
    description: str = "",
    implementations: list[Any] | None = None,
    reason: str = "",
) -> EvidenceArtifact:
    """Record a piece of manual evidence with its files; it counts for its implementations until it expires."""
    if not user.has_perm("evidence.add_evidenceartifact"):
        raise NotAllowed("You may not add evidence artifacts.")
    types = _check_files(files)
    artifact = EvidenceArtifact(
        title=title, description=description, effective_on=effective_on, expires_on=expires_on, uploaded_by=user
    )
    artifact.full_clean()
    artifact._history_user = user  # type: ignore[attr-defined]
    artifact._change_reason = (reason or "Evidence artifact added")[:100]  # type: ignore[attr-defined]
    artifact.save()
    if implementations:
        artifact.implementations.set(implementations)
    for upload, content_type in zip(files, types, strict=True):
        _store_file(artifact, upload, content_type, user, reason or "File uploaded")
    return artifact


@transaction.atomic
def add_artifact_files(
    *, artifact: EvidenceArtifact, user: Any, files: list[UploadedFile], reason: str = ""
) -> list[ArtifactFile]:
    if not user.has_perm("evidence.change_evidenceartifact"):
        raise NotAllowed("You may not change evidence artifacts.")
    types = _check_files(files)
    return [
        _store_file(artifact, upload, content_type, user, reason or "File uploaded")
        for upload, content_type in zip(files, types, strict=True)
    ]


@transaction.atomic
def update_artifact(
    *,
    artifact: EvidenceArtifact,
    user: Any,
    reason: str = "",
    implementations: list[Any] | None = None,
    **fields: Any,
) -> EvidenceArtifact:
    """Change an artifact's dates, text or implementations; every change is kept in its history."""
    if not user.has_perm("evidence.change_evidenceartifact"):
        raise NotAllowed("You may not change evidence artifacts.")
    unknown = set(fields) - set(ARTIFACT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    artifact = EvidenceArtifact.objects.select_for_update().get(pk=artifact.pk)
    changed = [name for name, value in fields.items() if getattr(artifact, name) != value]
    artifact._history_user = user  # type: ignore[attr-defined]
    artifact._change_reason = (reason or f"Changed {', '.join(changed) or 'links'}")[:100]  # type: ignore[attr-defined]
    if changed:
        for name in changed:
            setattr(artifact, name, fields[name])
        artifact.full_clean()
        artifact.save()
    if implementations is not None and set(implementations) != set(artifact.implementations.all()):
        artifact.implementations.set(implementations)
    return artifact
