"""Documented information (7.5, A.2): versions, four-eyes approval, read-only approved versions, safe Markdown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aims.accounts.choices import Role
from aims.core import services as core_services
from aims.core.choices import DecisionKind
from aims.core.exceptions import Conflict, FourEyesViolation
from aims.core.models import Decision
from aims.governance import markdown, services
from aims.governance.choices import DocumentVersionStatus
from tests.factories import UserFactory
from tests.governance.factories import DocumentFactory


def test_a_version_is_approved_by_another_committee_member_and_becomes_read_only(officer, committee) -> None:
    document = DocumentFactory(owner=officer.user, kind="ai_policy")
    created = officer.api().post(
        reverse("api:aims-document-version-list"),
        {"document": document.pk, "body": "# AI policy\n\nWe use AI responsibly.", "change_summary": "First"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == DocumentVersionStatus.DRAFT
    asked = officer.api().post(
        reverse("api:aims-document-version-request-approval", kwargs={"pk": pk}), {}, format="json"
    )
    assert asked.status_code == 201
    decision = Decision.objects.get(pk=asked.json()["id"])
    assert decision.kind == DecisionKind.DOCUMENT_APPROVAL and decision.subject_version == "v1"
    approved = committee.api().post(reverse("api:decision-approve", kwargs={"pk": decision.pk}), {}, format="json")
    assert approved.status_code == 200
    version = officer.api().get(reverse("api:aims-document-version-detail", kwargs={"pk": pk})).json()
    assert version["status"] == DocumentVersionStatus.APPROVED
    changed = officer.api().patch(
        reverse("api:aims-document-version-detail", kwargs={"pk": pk}), {"body": "Edited"}, format="json"
    )
    assert changed.status_code == 409
    assert document.approved_version.pk == pk


def test_the_requester_cannot_approve_their_own_document(db) -> None:
    both = UserFactory(username="both", roles=[Role.OFFICER, Role.COMMITTEE])
    version = services.add_document_version(document=DocumentFactory(), user=both, body="Text")
    decision = services.request_document_approval(version=version, user=both)
    with pytest.raises(FourEyesViolation):
        core_services.decide(decision=decision, user=both, approve=True)
    assert version.status == DocumentVersionStatus.PENDING


def test_only_one_draft_at_a_time_and_a_new_version_follows_an_approved_one(officer, committee) -> None:
    document = DocumentFactory()
    first = services.add_document_version(document=document, user=officer.user, body="One")
    with pytest.raises(Conflict):
        services.add_document_version(document=document, user=officer.user, body="Two")
    decision = services.request_document_approval(version=first, user=officer.user)
    core_services.decide(decision=decision, user=committee.user, approve=True)
    second = services.add_document_version(document=document, user=officer.user, body="Two")
    assert second.number == 2 and second.status == DocumentVersionStatus.DRAFT
    assert document.approved_version == first


def test_the_ui_writes_a_version_with_an_attachment_and_renders_it_safely(officer, tmp_path, settings) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    document = DocumentFactory()
    response = officer.client().post(
        reverse("governance:version-create", kwargs={"pk": document.pk}),
        {
            "body": "# Title\n\n<script>alert(1)</script> **bold**",
            "change_summary": "First",
            "attachment": SimpleUploadedFile("annex.pdf", b"%PDF-1.4", content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    version = document.versions.get()
    assert version.attachment.name.endswith(".pdf")
    page = officer.client().get(reverse("governance:version-detail", kwargs={"pk": version.pk}))
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html and "<strong>bold</strong>" in html
    download = officer.client().get(reverse("governance:version-attachment", kwargs={"pk": version.pk}))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    assert download["Content-Disposition"].startswith("attachment")


def test_markdown_renders_a_safe_subset() -> None:
    html = markdown.render(
        "# Head\n\n- one\n- two\n\n1. first\n\nA [link](https://example.org) and [bad](javascript:alert(1)) `x<y`"
    )
    assert "<h2>Head</h2>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert "<ol>\n<li>first</li>\n</ol>" in html
    assert '<a href="https://example.org" rel="nofollow noopener">link</a>' in html
    assert "javascript:" in html and 'href="javascript' not in html
    assert "<code>x&lt;y</code>" in html


def test_the_owner_records_a_review_and_the_next_falls_one_interval_later(owner) -> None:
    document = DocumentFactory(owner=owner.user, review_interval_months=6)
    response = owner.client().post(reverse("governance:document-reviewed", kwargs={"pk": document.pk}))
    assert response.status_code == 302
    document.refresh_from_db()
    from django.utils import timezone

    today = timezone.localdate()
    assert (document.next_review_on.year * 12 + document.next_review_on.month) - (today.year * 12 + today.month) == 6
