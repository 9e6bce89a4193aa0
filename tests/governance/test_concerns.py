"""Concerns and external reports (A.3.3, A.8.3): anyone logged in may raise one; identity stays confidential."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from aims.governance import services
from aims.governance.choices import ConcernStatus
from aims.governance.models import Concern, ConcernChannel
from tests.governance.factories import ConcernFactory
from tests.registry.factories import AISystemFactory


def test_a_person_with_no_role_raises_a_concern_in_the_ui(outsider) -> None:
    system = AISystemFactory()
    response = outsider.client().post(
        reverse("governance:concern-raise"),
        {
            "ai_system": system.pk,
            "summary": "Biased answers",
            "details": "It treats accents differently.",
            "confidentiality": "confidential",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert (concern.reporter, concern.ai_system, concern.status) == (outsider.user, system, ConcernStatus.NEW)


def test_a_confidential_reporter_shows_only_to_officers(officer, committee, auditor, outsider) -> None:
    concern = ConcernFactory(reporter=outsider.user, confidentiality="confidential")
    seen = officer.api().get(reverse("api:aims-concern-detail", kwargs={"pk": concern.pk})).json()
    assert seen["reporter"] == str(outsider.user)
    for persona in (committee, auditor):
        assert persona.api().get(reverse("api:aims-concern-detail", kwargs={"pk": concern.pk})).json()["reporter"] == (
            "confidential"
        )
        page = persona.client().get(reverse("governance:concern-detail", kwargs={"pk": concern.pk}))
        assert str(outsider.user) not in page.content.decode()


def test_an_anonymous_concern_stores_no_identity_not_even_in_the_history(owner) -> None:
    response = owner.api().post(
        reverse("api:aims-concern-list"),
        {
            "summary": "Shadow AI",
            "details": "A team pastes customer data into a chatbot.",
            "confidentiality": "anonymous",
            "reporter_contact": "me@example.test",
        },
        format="json",
    )
    assert response.status_code == 201
    concern = Concern.objects.get()
    assert concern.reporter is None and concern.reporter_contact == ""
    assert concern.history.get().history_user is None


def test_the_public_form_is_absent_until_switched_on_then_rate_limited(officer, anonymous) -> None:
    url = reverse("governance:concern-public")
    assert anonymous.client().get(url).status_code == 404
    officer.client().post(reverse("governance:concern-channel"), {"public_form_enabled": "on"})
    assert ConcernChannel.current().public_form_enabled
    client = anonymous.client()
    assert client.get(url).status_code == 200
    body = {
        "summary": "Wrong decision",
        "details": "Your chatbot refused my claim.",
        "confidentiality": "confidential",
        "reporter_contact": "citizen@example.test",
    }
    for _ in range(services.PUBLIC_FORM_LIMIT):
        assert client.post(url, body).status_code == 200
    assert client.post(url, body).status_code == 429
    assert Concern.objects.filter(external=True, reporter__isnull=True).count() == services.PUBLIC_FORM_LIMIT


def test_triage_escalates_a_concern_to_an_incident(officer) -> None:
    concern = ConcernFactory(ai_system=AISystemFactory())
    response = officer.api().post(
        reverse("api:aims-concern-triage", kwargs={"pk": concern.pk}),
        {"status": "triaged", "triage_notes": "Reproduced.", "create_incident": True, "severity": "high"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.ESCALATED
    assert concern.incident.severity == "high"
    assert list(concern.incident.ai_systems.all()) == [concern.ai_system]


def test_only_officers_triage_and_owners_cannot_read_concerns(owner, auditor) -> None:
    concern = ConcernFactory()
    assert owner.api().get(reverse("api:aims-concern-list")).status_code == 403
    response = auditor.api().post(
        reverse("api:aims-concern-triage", kwargs={"pk": concern.pk}), {"status": "closed"}, format="json"
    )
    assert response.status_code == 403
    assert not mail.outbox


def test_bad_input_to_the_concern_api_is_a_400_not_a_500(outsider) -> None:
    url = reverse("api:aims-concern-list")
    assert (
        outsider.api().post(url, {"summary": "x", "details": "y", "ai_system": 999}, format="json").status_code == 400
    )
    assert outsider.api().post(url, {"summary": "x"}, format="json").status_code == 400
    assert outsider.api().post(url, "not json", content_type="application/json").status_code == 400
