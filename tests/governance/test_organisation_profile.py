"""The organisation profile: a governed record with history and a four-eyes approval of one version."""

from __future__ import annotations

from django.urls import reverse

from aims.core.choices import DecisionStatus
from aims.core.models import Decision
from aims.governance import services


def test_an_edit_in_the_ui_is_kept_in_history_with_who_and_why(officer, profile) -> None:
    response = officer.client().post(
        reverse("governance:organisation-edit"),
        {
            "name": "Northwind Financial",
            "legal_name": profile.legal_name,
            "sector": "finance",
            "country": "DE",
            "purpose": profile.purpose,
            "aims_contact_email": profile.aims_contact_email,
            "reason": "Rebrand",
        },
    )
    assert response.status_code == 302
    latest = profile.history.latest()
    assert latest.name == "Northwind Financial"
    assert latest.history_user == officer.user
    assert latest.history_change_reason == "Rebrand"


def test_the_history_page_shows_a_diff_of_each_change(officer, profile) -> None:
    services.update_organisation_profile(user=officer.user, reason="Move", country="AT")
    page = officer.client().get(reverse("governance:organisation-history"))
    assert page.status_code == 200
    first = page.context["history"][0]
    assert first["record"].history_user == officer.user
    assert first["changes"] == [{"field": "country", "old": "DE", "new": "AT"}]
    assert "Move" in page.content.decode()


def test_an_api_edit_is_kept_in_history(officer, profile) -> None:
    response = officer.api().patch(
        reverse("api:organisation"), {"purpose": "Updated purpose.", "reason": "Scope review"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["purpose"] == "Updated purpose."
    latest = profile.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (officer.user, "Scope review")


def test_an_approval_pins_the_version_and_a_later_edit_shows_it_unapproved(officer, committee, profile) -> None:
    request = officer.api().post(reverse("api:organisation-request-approval"), {"note": "Yearly"}, format="json")
    assert request.status_code == 201
    pk = request.json()["id"]
    version = request.json()["subject_version"]
    assert version == profile.version
    committee.api().post(reverse("api:decision-approve", kwargs={"pk": pk}), {"rationale": "ok"}, format="json")
    page = officer.client().get(reverse("governance:organisation"))
    assert page.context["approved_current"] is True
    services.update_organisation_profile(user=officer.user, reason="Edit", purpose="Changed after approval.")
    page = officer.client().get(reverse("governance:organisation"))
    assert page.context["approved_current"] is False
    assert "has changed since" in page.content.decode()
    assert Decision.objects.get(pk=pk).subject_version == version


def test_the_ui_flow_requests_then_the_committee_approves(officer, committee, profile) -> None:
    officer.client().post(reverse("governance:organisation-request-approval"), {"note": "Please approve"})
    decision = Decision.objects.get()
    assert decision.requested_by == officer.user
    committee.client().post(
        reverse("core:decision-decide", kwargs={"pk": decision.pk}), {"decision": "approve", "rationale": "Fine"}
    )
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED
    assert decision.decided_by == committee.user


def test_owners_and_auditors_read_but_cannot_edit(owner, auditor, profile) -> None:
    for persona in (owner, auditor):
        assert persona.client().get(reverse("governance:organisation")).status_code == 200
        assert persona.client().get(reverse("governance:organisation-edit")).status_code == 403
        response = persona.api().patch(reverse("api:organisation"), {"name": "Hijacked"}, format="json")
        assert response.status_code == 403
    profile.refresh_from_db()
    assert profile.name == "Northwind Analytics"


def test_the_profile_can_be_created_through_the_api_when_missing(officer) -> None:
    missing = officer.api().get(reverse("api:organisation"))
    assert missing.status_code == 404
    body = {
        "name": "Contoso",
        "sector": "public",
        "country": "FR",
        "purpose": "Public services.",
        "aims_contact_email": "aims@contoso.test",
    }
    response = officer.api().patch(reverse("api:organisation"), body, format="json")
    assert response.status_code == 200
    assert officer.api().get(reverse("api:organisation")).json()["name"] == "Contoso"
