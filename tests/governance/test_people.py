"""People (5.3, 7.2, A.3.2, EU AI Act Art. 4): the responsibility matrix and competence records."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from tests.governance.factories import ResponsibilityFactory, TrainingRecordFactory


def test_the_responsibility_matrix_puts_letters_at_activity_and_person(officer, owner, auditor) -> None:
    ResponsibilityFactory(activity="Risk assessment", person=officer.user, responsibility="A")
    ResponsibilityFactory(activity="Risk assessment", person=owner.user, responsibility="R")
    page = auditor.client().get(reverse("governance:responsibility-list"))
    assert page.status_code == 200
    matrix = page.context["matrix"]
    assert [p.username for p in matrix["people"]] == ["officer", "owner"]
    assert matrix["rows"] == [{"activity": "Risk assessment", "system": "", "letters": ["A", "R"]}]


def test_a_training_record_says_when_it_falls_due_again(officer, owner) -> None:
    response = officer.api().post(
        reverse("api:aims-training-record-list"),
        {
            "person": "owner",
            "course": "AI literacy (Art. 4)",
            "kind": "ai_literacy",
            "completed_on": "2026-02-01",
            "due_again_on": "2027-02-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    backwards = officer.api().post(
        reverse("api:aims-training-record-list"),
        {"person": "owner", "course": "x", "completed_on": "2026-02-01", "due_again_on": "2026-01-01"},
        format="json",
    )
    assert backwards.status_code == 400 and "due_again_on" in backwards.json()["error"]["fields"]


def test_owners_read_competence_records_but_do_not_write_them(owner) -> None:
    record = TrainingRecordFactory(completed_on=date(2026, 1, 1))
    assert owner.api().get(reverse("api:aims-training-record-detail", kwargs={"pk": record.pk})).status_code == 200
    refused = owner.api().patch(
        reverse("api:aims-training-record-detail", kwargs={"pk": record.pk}), {"course": "x"}, format="json"
    )
    assert refused.status_code == 403
