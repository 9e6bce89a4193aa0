"""Management review (9.3): inputs assembled on creation from the records, frozen, and closed under four eyes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from aims.governance import review_inputs, services
from aims.governance.choices import ReviewStatus
from aims.governance.models import ManagementReview
from tests.governance.factories import (
    AuditFindingFactory,
    ContextIssueFactory,
    CorrectiveActionFactory,
    IncidentFactory,
    KpiFactory,
    NonconformityFactory,
)


def _known_data(officer) -> None:
    ContextIssueFactory(title="New AI regulation", kind="external")
    kpi = KpiFactory(
        objective__title="Redaction everywhere", objective__status="on_track", target_value=Decimal("100")
    )
    services.record_kpi_value(kpi=kpi, user=officer.user, value=Decimal("100"), measured_on=timezone.localdate())
    AuditFindingFactory(grade="major")
    AuditFindingFactory(grade="observation")
    nc = NonconformityFactory(title="Thresholds undocumented")
    CorrectiveActionFactory(nonconformity=nc, due_on=timezone.localdate() - timedelta(days=1))
    IncidentFactory(severity="high", serious=True, serious_case="general")
    IncidentFactory(severity="low")


def test_creating_a_review_assembles_each_input_from_known_data(officer) -> None:
    _known_data(officer)
    response = officer.api().post(
        reverse("api:aims-management-review-list"), {"title": "Review 2026", "held_on": "2026-12-01"}, format="json"
    )
    assert response.status_code == 201, response.json()
    inputs = response.json()["inputs"]
    assert {key for key, _ in review_inputs.INPUTS} == {k for k in inputs if k != "assembled_at"}
    assert inputs["objective_progress"]["objectives"][0]["objective"] == "Redaction everywhere"
    assert inputs["objective_progress"]["objectives"][0]["progress_percent"] == 100.0
    assert inputs["context_changes"]["issues"][0]["what"] == "New AI regulation"
    assert inputs["audit_results"]["findings_by_grade"] == {"major": 1, "observation": 1}
    nci = inputs["nonconformities_and_incidents"]
    assert nci["open_nonconformities"] == ["Thresholds undocumented"]
    assert nci["overdue_actions"] == 1
    assert nci["incidents_by_severity"] == {"high": 1, "low": 1} and nci["serious_incidents"] == 1
    assert inputs["previous_actions"] == {
        "label": "Status of actions from previous management reviews",
        "available": True,
        "by_status": {},
        "open_overdue": [],
    }
    assert inputs["evidence_health"]["available"] is True


def test_inputs_from_an_app_that_has_not_landed_say_so(officer, monkeypatch) -> None:
    monkeypatch.setattr(review_inputs, "_model", lambda label: None)
    assert review_inputs.risk_summary(timezone.now()) == {"available": False, "note": "not available yet"}
    assert review_inputs.soa_and_controls(timezone.now())["available"] is False


def test_the_snapshot_is_frozen_when_the_records_change_later(officer) -> None:
    review = services.create_management_review(user=officer.user, title="R", held_on=timezone.localdate())
    before = review.inputs["nonconformities_and_incidents"]["incidents_by_severity"]
    IncidentFactory(severity="critical")
    review.refresh_from_db()
    assert review.inputs["nonconformities_and_incidents"]["incidents_by_severity"] == before
    response = officer.api().patch(
        reverse("api:aims-management-review-detail", kwargs={"pk": review.pk}), {"inputs": {}}, format="json"
    )
    assert response.status_code == 200
    review.refresh_from_db()
    assert review.inputs["nonconformities_and_incidents"]["incidents_by_severity"] == before


def test_the_committee_closes_a_review_under_four_eyes_and_it_becomes_read_only(officer, committee) -> None:
    review = services.create_management_review(user=officer.user, title="R", held_on=timezone.localdate())
    url = reverse("api:aims-management-review-request-closure", kwargs={"pk": review.pk})
    refused = officer.api().post(url, {}, format="json")
    assert refused.status_code == 400  # no decisions recorded yet
    services.update_record(obj=review, user=officer.user, decisions="Fund the evidence pipeline.")
    asked = officer.api().post(url, {"note": "Done"}, format="json")
    assert asked.status_code == 201
    assert review.status == ReviewStatus.PENDING_CLOSURE
    decided = committee.client().post(
        reverse("core:decision-decide", kwargs={"pk": asked.json()["id"]}), {"decision": "approve", "rationale": "ok"}
    )
    assert decided.status_code == 302
    assert ManagementReview.objects.get(pk=review.pk).status == ReviewStatus.CLOSED
    edit = officer.api().patch(
        reverse("api:aims-management-review-detail", kwargs={"pk": review.pk}), {"minutes": "x"}, format="json"
    )
    assert edit.status_code == 409


def test_actions_of_a_closed_review_feed_the_next_one(officer, committee) -> None:
    from aims.core import services as core_services
    from aims.governance.models import ReviewAction

    first = services.create_management_review(user=officer.user, title="R1", held_on=timezone.localdate())
    services.create_record(
        model=ReviewAction,
        user=officer.user,
        review=first,
        description="Hire an ML auditor",
        owner=officer.user,
        due_on=timezone.localdate() - timedelta(days=3),
    )
    services.update_record(obj=first, user=officer.user, decisions="Hire.")
    decision = services.request_review_closure(review=first, user=officer.user)
    core_services.decide(decision=decision, user=committee.user, approve=True)
    second = services.create_management_review(user=officer.user, title="R2", held_on=timezone.localdate())
    previous = second.inputs["previous_actions"]
    assert previous["by_status"] == {"open": 1}
    assert previous["open_overdue"][0]["action"] == "Hire an ML auditor"


def test_the_review_page_shows_the_inputs(auditor, officer) -> None:
    review = services.create_management_review(user=officer.user, title="R", held_on=timezone.localdate())
    page = auditor.client().get(reverse("governance:review-detail", kwargs={"pk": review.pk}))
    assert page.status_code == 200
    assert "Progress on AI objectives" in page.content.decode()
