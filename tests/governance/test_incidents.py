"""The incident register (A.8.4): serious incidents carry the Art. 73 deadline with a countdown."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from aims.governance.models import Incident
from tests.governance.factories import IncidentFactory
from tests.registry.factories import AISystemFactory


def test_an_officer_records_a_serious_incident_and_the_api_gives_its_deadline(officer) -> None:
    system = AISystemFactory()
    aware = timezone.now() - timedelta(days=1) + timedelta(minutes=5)
    response = officer.api().post(
        reverse("api:incident-list"),
        {
            "title": "Patient triage model misrouted a case",
            "description": "A person died after a delayed referral.",
            "severity": "critical",
            "aware_at": aware.isoformat(),
            "serious": True,
            "serious_case": "death",
            "owner": "officer",
            "ai_systems": [system.pk],
            "reason": "Reported by the ward",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    deadline = response.json()["reporting_deadline"]
    assert deadline["days"] == 10 and deadline["article"] == "Art. 73(4)"
    assert deadline["countdown"].startswith("9 days")
    incident = Incident.objects.get()
    assert incident.history.latest().history_change_reason == "Reported by the ward"
    assert list(incident.ai_systems.all()) == [system]


def test_a_serious_incident_needs_its_case_and_a_minor_one_has_none(officer) -> None:
    body = {
        "title": "x",
        "description": "y",
        "severity": "low",
        "aware_at": timezone.now().isoformat(),
        "owner": "officer",
    }
    refused = officer.api().post(reverse("api:incident-list"), {**body, "serious": True}, format="json")
    assert refused.status_code == 400
    assert "serious_case" in refused.json()["error"]["fields"]
    minor = officer.api().post(reverse("api:incident-list"), body, format="json")
    assert minor.status_code == 201 and minor.json()["reporting_deadline"] is None


def test_the_incident_page_shows_the_countdown_and_marks_it_overdue(auditor) -> None:
    incident = IncidentFactory(
        serious=True, serious_case="widespread_or_critical", aware_at=timezone.now() - timedelta(days=3)
    )
    page = auditor.client().get(reverse("governance:incident-detail", kwargs={"pk": incident.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Art. 73(3)" in html and "overdue" in html
    assert page.context["overdue"] is True


def test_communications_are_recorded_against_the_incident_by_the_writer(officer) -> None:
    incident = IncidentFactory()
    response = officer.client().post(
        reverse("governance:communication-create", kwargs={"pk": incident.pk}),
        {
            "direction": "outgoing",
            "party": "Market surveillance authority",
            "at": "2026-11-02T10:00",
            "summary": "Initial report.",
        },
    )
    assert response.status_code == 302
    communication = incident.communications.get()
    assert communication.recorded_by == officer.user


def test_owners_read_incidents_but_cannot_record_them(owner) -> None:
    assert owner.api().get(reverse("api:incident-list")).status_code == 200
    response = owner.api().post(reverse("api:incident-list"), {"title": "x"}, format="json")
    assert response.status_code == 403


def test_lists_filter_the_same_way_on_the_page_and_in_the_api(officer) -> None:
    IncidentFactory(title="Big one", severity="critical")
    IncidentFactory(title="Small one", severity="low")
    api = officer.api().get(reverse("api:incident-list"), {"severity": "critical"}).json()
    assert [i["title"] for i in api["results"]] == ["Big one"]
    page = officer.client().get(reverse("governance:incident-list"), {"severity": "critical"})
    assert "Big one" in page.content.decode() and "Small one" not in page.content.decode()
    assert officer.api().get(reverse("api:incident-list"), {"severity": "apocalyptic"}).status_code == 400
    assert officer.client().get(reverse("governance:incident-list"), {"severity": "apocalyptic"}).status_code == 400
