"""The risks API: the register, acceptance, impact assessments and criteria, by role, with the one error shape."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from risks import services
from risks.models import Risk
from tests.risks.factories import ImpactFactory

TODAY = timezone.localdate


def _new(system_name: str, **extra):
    return {
        "title": "Drift",
        "ai_system": system_name,
        "source": "C.3.4",
        "objectives": ["C.2.8"],
        "affected_parties": "Applicants",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 3,
        "residual_impact": 3,
        "owner": "owner",
        "review_on": "2027-06-30",
        **extra,
    }


def test_the_owner_creates_and_patches_a_risk_and_the_residual_is_recalculated(owner, own_system) -> None:
    api = owner.api()
    response = api.post(reverse("api:risk-list"), _new(own_system.name), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["residual_score"], body["level"], body["acceptor"], body["criteria_version"]) == (
        9,
        "medium",
        "owner",
        1,
    )
    response = api.patch(
        reverse("api:risk-detail", args=[body["id"]]), {"residual_likelihood": 1, "residual_impact": 2}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["residual_score"], response.json()["level"]) == (2, "low")
    history = api.get(reverse("api:risk-history", args=[body["id"]])).json()
    assert history[0]["changes"] and history[0]["user"] == "owner"


def test_the_owner_cannot_create_or_change_risks_of_other_systems(owner, other_system, other_risk) -> None:
    api = owner.api()
    response = api.post(reverse("api:risk-list"), _new(other_system.name), format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert (
        api.patch(reverse("api:risk-detail", args=[other_risk.pk]), {"treatment": "avoid"}, format="json").status_code
        == 403
    )


def test_invalid_ratings_answer_400_in_the_error_shape(officer, own_system) -> None:
    response = officer.api().post(
        reverse("api:risk-list"), _new(own_system.name, residual_likelihood=5, residual_impact=5), format="json"
    )
    assert response.status_code == 400
    assert "residual_impact" in response.json()["error"]["fields"]
    response = officer.api().post(reverse("api:risk-list"), _new(own_system.name, source="C.9.9"), format="json")
    assert response.status_code == 400 and "source" in response.json()["error"]["fields"]


def test_list_filters_are_shared_with_the_page(auditor, own_risk, high_risk) -> None:
    api = auditor.api()
    body = api.get(reverse("api:risk-list"), {"level": "high"}).json()
    assert [r["id"] for r in body["results"]] == [high_risk.pk] and body["count"] == 1
    assert api.get(reverse("api:risk-list"), {"status": "bogus"}).status_code == 400


def test_the_committee_accepts_and_the_owner_cannot(officer, committee, owner, high_risk) -> None:
    expiry = (TODAY() + timedelta(days=60)).isoformat()
    response = officer.api().post(
        reverse("api:risk-request-acceptance", args=[high_risk.pk]), {"expires_on": expiry}, format="json"
    )
    assert response.status_code == 201 and response.json()["kind"] == "risk_acceptance"
    assert (
        owner.api()
        .post(reverse("api:risk-accept", args=[high_risk.pk]), {"rationale": "mine"}, format="json")
        .status_code
        == 403
    )
    response = committee.api().post(
        reverse("api:risk-accept", args=[high_risk.pk]), {"rationale": "For a year"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["risk"]["status"] == "accepted"
    assert response.json()["acceptance"]["state"] == "accepted"
    listed = committee.api().get(reverse("api:risk-detail", args=[high_risk.pk])).json()["acceptances"]
    assert [(a["acceptor"], a["state"], a["accepted_by"]) for a in listed] == [("committee", "accepted", "committee")]
    again = committee.api().post(reverse("api:risk-accept", args=[high_risk.pk]), {"rationale": "x"}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_an_expired_acceptance_reads_as_open_in_the_api(owner, own_risk) -> None:
    services.accept_as_owner(risk=own_risk, user=owner.user, expires_on=TODAY() + timedelta(days=3), rationale="ok")
    Risk.objects.filter(pk=own_risk.pk).update(accepted_until=TODAY() - timedelta(days=1))
    body = owner.api().get(reverse("api:risk-detail", args=[own_risk.pk])).json()
    assert body["status"] == "accepted" and body["effective_status"] == "open"
    listed = owner.api().get(reverse("api:risk-list"), {"status": "open"}).json()
    assert [r["id"] for r in listed["results"]] == [own_risk.pk]


def test_the_owner_accepts_within_the_threshold_by_api(owner, own_risk, high_risk) -> None:
    data = {"expires_on": (TODAY() + timedelta(days=30)).isoformat(), "rationale": "Within appetite"}
    assert (
        owner.api().post(reverse("api:risk-owner-accept", args=[own_risk.pk]), data, format="json").status_code == 200
    )
    response = owner.api().post(reverse("api:risk-owner-accept", args=[high_risk.pk]), data, format="json")
    assert response.status_code == 409


def test_treatment_actions_by_api(owner, own_risk) -> None:
    response = owner.api().post(
        reverse("api:risk-action-create", args=[own_risk.pk]),
        {"description": "Retrain", "owner": "owner", "due_on": (TODAY() - timedelta(days=2)).isoformat()},
        format="json",
    )
    assert response.status_code == 201 and response.json()["is_overdue"]
    body = owner.api().get(reverse("api:risk-detail", args=[own_risk.pk])).json()
    assert body["overdue_action_count"] == 1
    done = owner.api().post(reverse("api:risk-action-complete", args=[response.json()["id"]]))
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_impact_assessment_sign_off_and_reconciliation_by_api(owner, officer, committee, own_system) -> None:
    response = owner.api().post(
        reverse("api:impact-assessment-list"),
        {"ai_system": own_system.name, "summary": "x", "affected_stakeholders": "y", "next_review_on": "2027-06-30"},
        format="json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    impact = {
        "area": "privacy",
        "scope": "individuals",
        "affected": "Applicants",
        "description": "x",
        "severity": "moderate",
    }
    assert (
        owner.api().post(reverse("api:impact-assessment-impacts", args=[pk]), impact, format="json").status_code == 201
    )
    assert (
        officer.api().post(reverse("api:impact-assessment-request-signoff", args=[pk]), {}, format="json").status_code
        == 201
    )
    signed = committee.api().post(
        reverse("api:impact-assessment-signoff", args=[pk]), {"rationale": "ok"}, format="json"
    )
    assert signed.status_code == 200 and signed.json()["status"] == "signed_off"
    type(own_system).objects.filter(pk=own_system.pk).update(purpose="Something else")
    assert officer.api().post(reverse("api:impact-assessment-reconcile")).json() == {"marked": [pk]}
    body = owner.api().get(reverse("api:impact-assessment-detail", args=[pk])).json()
    assert body["status"] == "review_due" and "purpose changed" in body["review_reason"]


def test_a_second_assessment_of_a_system_is_a_conflict(officer, own_assessment) -> None:
    ImpactFactory(assessment=own_assessment)
    response = officer.api().post(
        reverse("api:impact-assessment-list"),
        {
            "ai_system": own_assessment.ai_system.name,
            "summary": "x",
            "affected_stakeholders": "y",
            "next_review_on": "2027-06-30",
        },
        format="json",
    )
    assert response.status_code == 409


def test_criteria_versions_by_api(officer, auditor) -> None:
    scale = [{"value": 1, "label": "Low"}, {"value": 2, "label": "High"}]
    levels = [
        {"level": "low", "max_score": 2, "acceptor": "owner"},
        {"level": "high", "max_score": 4, "acceptor": "committee"},
    ]
    response = officer.api().post(
        reverse("api:risk-criteria-list"),
        {"name": "2x2", "likelihood_scale": scale, "impact_scale": scale, "levels": levels},
        format="json",
    )
    assert response.status_code == 201 and response.json()["version"] == 2 and response.json()["in_force"]
    listed = auditor.api().get(reverse("api:risk-criteria-list"), {"in_force": "true"}).json()
    assert [c["version"] for c in listed["results"]] == [2]
    assert auditor.api().post(reverse("api:risk-criteria-list"), {}, format="json").status_code == 403
