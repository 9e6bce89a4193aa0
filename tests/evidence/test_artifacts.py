"""Manual evidence artifacts: uploads checked by content and size, stored under MEDIA_ROOT/evidence/ with their
SHA-256, served only as attachments to people who may read them, and counted until they expire."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.core.exceptions import NotAllowed
from evidence import artifacts_services as services
from evidence.models import ArtifactFile, EvidenceArtifact
from tests.controls.factories import ControlImplementationFactory, stored_artifact_file

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _office(main: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{main}"/></Types>')
        archive.writestr("word/document.xml", "<w/>")
    return out.getvalue()


DOCX = _office("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = _office("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")


def _upload(name: str, content: bytes, claimed: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=claimed)


def _create(user, *files: SimpleUploadedFile, **extra) -> EvidenceArtifact:
    today = timezone.localdate()
    return services.create_artifact(
        user=user,
        title="Review minutes",
        effective_on=extra.pop("effective_on", today - timedelta(days=5)),
        expires_on=extra.pop("expires_on", today + timedelta(days=90)),
        files=list(files),
        **extra,
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.pdf", PDF, "application/pdf"),
        ("a.png", PNG, "image/png"),
        ("a.jpg", JPEG, "image/jpeg"),
        ("notes.txt", "Grüße, plain text\n".encode(), "text/plain; charset=utf-8"),
        ("data.csv", b"a,b\n1,2\n", "text/csv; charset=utf-8"),
        ("readme.md", b"# Title\n", "text/markdown; charset=utf-8"),
        ("report.docx", DOCX, services.DOCX),
        ("sheet.xlsx", XLSX, services.XLSX),
        ("misnamed.txt", PDF, "application/pdf"),
    ],
)
def test_the_type_is_read_from_the_content(name, content, expected) -> None:
    assert services.detect_content_type(_upload(name, content, claimed="text/html")) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("disguised.txt", b"  <html><body>hi</body></html>"),
        ("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("latin1.txt", "café".encode("latin-1")),
        ("nul.txt", b"text\x00more"),
        ("archive.zip", _office("application/zip")),
        ("broken.docx", b"PK\x03\x04not really a zip"),
    ],
)
def test_anything_else_is_refused(officer, name, content) -> None:
    with pytest.raises(services.UnsupportedFile):
        _create(officer.user, _upload(name, content))
    assert not EvidenceArtifact.objects.exists()


def test_a_stored_file_keeps_its_name_size_type_and_sha256_under_media_evidence(officer, settings) -> None:
    control = ControlImplementationFactory(owner=officer.user)

    artifact = _create(
        officer.user, _upload("minutes.pdf", PDF), _upload("notes.md", b"# Notes\n"), implementations=[control]
    )

    first, second = artifact.files.order_by("id")
    assert (first.original_name, first.size, first.content_type) == ("minutes.pdf", len(PDF), "application/pdf")
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    path = Path(first.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT) / "evidence") and path.read_bytes() == PDF
    assert "minutes" not in path.name  # the user's name is data, never a path
    assert second.content_type == "text/markdown; charset=utf-8"
    assert list(control.evidence_artifacts.all()) == [artifact]
    assert artifact.history.first().history_user == officer.user


def test_a_file_over_the_limit_is_refused(officer, monkeypatch) -> None:
    monkeypatch.setattr(services, "MAX_ARTIFACT_BYTES", 10)
    with pytest.raises(services.FileTooLarge):
        _create(officer.user, _upload("big.pdf", PDF))


def test_expiry_must_follow_the_effective_date(officer) -> None:
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    with pytest.raises(ValidationError):
        _create(officer.user, _upload("a.pdf", PDF), effective_on=today, expires_on=today)


def test_only_officers_upload(auditor, owner) -> None:
    for persona in (auditor, owner):
        with pytest.raises(NotAllowed):
            _create(persona.user, _upload("a.pdf", PDF))


@pytest.mark.parametrize("persona", ["officer", "owner", "committee", "auditor"], indirect=True)
def test_every_role_downloads_a_file_as_an_attachment_that_is_never_sniffed(persona, officer) -> None:
    stored = stored_artifact_file(officer.user, name="minutes.pdf")

    response = persona.client().get(reverse("controls:artifact-file-download", kwargs={"pk": stored.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="minutes.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == stored.file.open("rb").read()


def test_outsiders_and_expired_auditors_cannot_download(officer, outsider, expired_auditor) -> None:
    stored = stored_artifact_file(officer.user)
    url = reverse("controls:artifact-file-download", kwargs={"pk": stored.pk})
    assert outsider.client().get(url).status_code == 403
    assert expired_auditor.client().get(url).status_code == 302
    assert (
        outsider.api().get(reverse("api:evidence-artifact-file-download", kwargs={"pk": stored.pk})).status_code == 403
    )


def test_the_upload_page_saves_an_artifact_and_refuses_html(officer) -> None:
    today = timezone.localdate()
    fields = {
        "title": "Policy sign-off",
        "effective_on": (today - timedelta(days=1)).isoformat(),
        "expires_on": (today + timedelta(days=365)).isoformat(),
    }
    client = officer.client()

    refused = client.post(reverse("controls:artifact-create"), {**fields, "files": [_upload("x.html", b"<html>")]})
    assert refused.status_code == 415
    saved = client.post(
        reverse("controls:artifact-create"), {**fields, "files": [_upload("a.pdf", PDF), _upload("b.png", PNG)]}
    )

    assert saved.status_code == 302
    assert EvidenceArtifact.objects.get().files.count() == 2


def test_the_api_uploads_multipart_and_lists_files(officer, auditor) -> None:
    control = ControlImplementationFactory(owner=officer.user)
    today = timezone.localdate()
    response = officer.api().post(
        reverse("api:evidence-artifact-list"),
        {
            "title": "Validation report",
            "effective_on": today.isoformat(),
            "expires_on": (today + timedelta(days=30)).isoformat(),
            "implementations": [control.code],
            "uploads": [_upload("r.pdf", PDF)],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()

    listed = auditor.api().get(reverse("api:evidence-artifact-list")).json()
    assert listed["count"] == 1 and listed["results"][0]["implementations"] == [control.code]
    svg = officer.api().post(
        reverse("api:evidence-artifact-list"),
        {
            "title": "x",
            "effective_on": today.isoformat(),
            "expires_on": (today + timedelta(days=1)).isoformat(),
            "uploads": [_upload("x.svg", b"<svg/>")],
        },
        format="multipart",
    )
    assert svg.status_code == 415 and set(svg.json()["error"]) == {"code", "message", "fields"}
    assert ArtifactFile.objects.count() == 1


def test_moving_the_expiry_into_the_past_through_the_api_makes_the_control_stale(officer, auditor) -> None:
    from controls import selectors
    from controls.choices import ControlStatus

    control = ControlImplementationFactory(owner=officer.user)
    artifact = _create(officer.user, _upload("a.pdf", PDF), implementations=[control])
    assert selectors.implementation_status(control) == ControlStatus.OPERATING
    yesterday = timezone.localdate() - timedelta(days=1)
    url = reverse("api:evidence-artifact-detail", kwargs={"pk": artifact.pk})

    assert auditor.api().patch(url, {"expires_on": yesterday.isoformat()}, format="json").status_code == 403
    response = officer.api().patch(
        url,
        {"effective_on": (yesterday - timedelta(days=30)).isoformat(), "expires_on": yesterday.isoformat()},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert selectors.implementation_status(control) == ControlStatus.STALE
    assert artifact.history.first().history_user == officer.user


def test_the_edit_page_changes_the_controls_an_artifact_evidences(officer) -> None:
    first, second = ControlImplementationFactory(owner=officer.user), ControlImplementationFactory(owner=officer.user)
    artifact = _create(officer.user, _upload("a.pdf", PDF), implementations=[first])
    url = reverse("controls:artifact-edit", kwargs={"pk": artifact.pk})
    data = {
        "title": artifact.title,
        "effective_on": artifact.effective_on.isoformat(),
        "expires_on": artifact.expires_on.isoformat(),
        "implementations": [second.pk],
        "reason": "Moved",
    }

    assert officer.client().post(url, data).status_code == 302
    assert list(artifact.implementations.all()) == [second]


def test_one_refused_file_stores_none_of_the_upload(officer, settings) -> None:
    with pytest.raises(services.UnsupportedFile):
        _create(officer.user, _upload("a.pdf", PDF), _upload("b.html", b"<html></html>"))

    stored = Path(settings.MEDIA_ROOT) / "evidence"
    assert not any(p.is_file() for p in stored.rglob("*"))
    assert not ArtifactFile.objects.exists()


def test_a_download_is_recorded_in_the_audit_trail(officer, auditor) -> None:
    from aims.audit.models import AuditEvent

    stored = stored_artifact_file(officer.user, name="minutes.pdf")

    auditor.client().get(reverse("controls:artifact-file-download", kwargs={"pk": stored.pk}))
    auditor.api().get(reverse("api:evidence-artifact-file-download", kwargs={"pk": stored.pk}))

    events = AuditEvent.objects.filter(kind="download", actor=auditor.user, subject_id=str(stored.pk))
    assert events.count() == 2 and "minutes.pdf" in events.first().summary
