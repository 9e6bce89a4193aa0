"""The risk pages: the register with its heatmaps, the flows of each role, impact assessments, criteria."""

from __future__ import annotations

import re
from datetime import timedelta

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from risks import services
from risks.models import ImpactAssessment, Risk
from tests.risks.factories import ImpactFactory, TreatmentActionFactory

TODAY = timezone.localdate


def _form(**extra):
    data = {
        "title": "Drift",
        "source": "C.3.4",
        "affected_parties": "Applicants",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 3,
        "status": "open",
        "review_on": "2027-06-30",
        **extra,
    }
    return data


def test_the_register_shows_both_heatmaps_with_a_table_alternative(auditor, own_risk, high_risk) -> None:
    html = auditor.client().get(reverse("risks:index")).content.decode()
    # Their cells link to the risks in them, so each map is a labelled group, not an image (axe nested-interactive).
    assert html.count('class="heatmap"') == 2 and 'role="img" aria-labelledby' not in html.split("heatmap-table")[0]
    assert html.count('role="group"') >= 2
    assert "Inherent risk" in html and "Residual risk" in html
    assert html.count('class="heatmap-table"') == 2
    assert "residual_likelihood=3&amp;residual_impact=4" in html  # the high risk's cell links to the list
    assert not re.search(r"\sstyle=", html) and "<style" not in html


def test_a_heatmap_cell_link_filters_the_list(auditor, own_risk, high_risk) -> None:
    response = auditor.client().get(reverse("risks:index"), {"residual_likelihood": 3, "residual_impact": 4})
    page = list(response.context["page"])
    assert page == [Risk.objects.get(pk=high_risk.pk)]


def test_bad_filters_answer_400_not_500(auditor) -> None:
    assert auditor.client().get(reverse("risks:index"), {"residual_likelihood": "x"}).status_code == 400
    assert auditor.client().get(reverse("risks:index"), {"status": "nope"}).status_code == 400
    assert auditor.client().get(reverse("risks:risk-export"), {"level": "nope"}).status_code == 400


def test_the_owner_records_and_edits_a_risk_of_their_system(owner, own_system) -> None:
    client = owner.client()
    response = client.post(reverse("risks:risk-create"), _form(ai_system=own_system.pk, owner=owner.user.pk))
    risk = Risk.objects.get(title="Drift")
    assert response.status_code == 302 and risk.level == "medium"
    response = client.post(
        reverse("risks:risk-edit", args=[risk.pk]),
        _form(ai_system=own_system.pk, residual_likelihood=1, residual_impact=2, reason="Drift alerts live"),
    )
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.residual_score == 2 and risk.level == "low"
    history = client.get(reverse("risks:risk-history", args=[risk.pk])).content.decode()
    assert "Drift alerts live" in history and "<del>" in history


def test_a_form_error_comes_back_on_the_form(owner, own_system) -> None:
    response = owner.client().post(
        reverse("risks:risk-create"),
        _form(ai_system=own_system.pk, owner=owner.user.pk, residual_likelihood=5, residual_impact=5),
    )
    assert response.status_code == 400
    assert "cannot be higher than the inherent risk" in response.content.decode()


def test_the_owner_cannot_edit_the_risk_of_another_system(owner, other_risk) -> None:
    assert owner.client().get(reverse("risks:risk-edit", args=[other_risk.pk])).status_code == 403


def test_the_owner_plans_an_action_and_sees_it_flagged_when_overdue(owner, own_risk) -> None:
    client = owner.client()
    client.post(
        reverse("risks:action-create", args=[own_risk.pk]),
        {"description": "Retrain", "owner": owner.user.pk, "due_on": (TODAY() - timedelta(days=1)).isoformat()},
    )
    html = client.get(reverse("risks:risk-detail", args=[own_risk.pk])).content.decode()
    assert "Retrain" in html and "overdue" in html
    listing = client.get(reverse("risks:index"), {"overdue_actions": "true"})
    assert [r.pk for r in listing.context["page"]] == [own_risk.pk]


def test_the_owner_accepts_within_the_threshold_and_the_committee_above_it(
    owner, officer, committee, own_risk, high_risk
):
    expiry = (TODAY() + timedelta(days=90)).isoformat()
    owner.client().post(
        reverse("risks:risk-owner-accept", args=[own_risk.pk]), {"expires_on": expiry, "rationale": "ok"}
    )
    own_risk.refresh_from_db()
    assert own_risk.status == "accepted"
    # Above the threshold: the owner sees no acceptance form; an officer asks the committee.
    assert (
        "Accept the residual risk as its owner"
        not in owner.client().get(reverse("risks:risk-detail", args=[high_risk.pk])).content.decode()
    )
    officer.client().post(reverse("risks:risk-request-acceptance", args=[high_risk.pk]), {"expires_on": expiry})
    page = committee.client().get(reverse("risks:risk-detail", args=[high_risk.pk])).content.decode()
    assert "Record decision" in page
    committee.client().post(
        reverse("risks:risk-accept", args=[high_risk.pk]), {"decision": "approve", "rationale": "For a year"}
    )
    high_risk.refresh_from_db()
    assert high_risk.status == "accepted"


def test_an_expired_acceptance_shows_as_open_on_the_page(owner, own_risk) -> None:
    services.accept_as_owner(risk=own_risk, user=owner.user, expires_on=TODAY() + timedelta(days=9), rationale="ok")
    Risk.objects.filter(pk=own_risk.pk).update(accepted_until=TODAY() - timedelta(days=1))
    html = owner.client().get(reverse("risks:risk-detail", args=[own_risk.pk])).content.decode()
    assert "The acceptance expired" in html
    assert "<dt>Status</dt><dd>Open" in html


def test_the_auditor_reads_but_sees_no_edit_controls(auditor, own_risk) -> None:
    TreatmentActionFactory(risk=own_risk)
    html = auditor.client().get(reverse("risks:risk-detail", args=[own_risk.pk])).content.decode()
    assert own_risk.title in html
    assert "Edit</a>" not in html and "Mark done" not in html and "Add action" not in html


def test_the_outsider_is_denied(outsider, own_risk, own_assessment) -> None:
    client = outsider.client()
    for url in (reverse("risks:index"), reverse("risks:risk-detail", args=[own_risk.pk]), reverse("risks:ia-list")):
        assert client.get(url).status_code == 403


def test_an_impact_assessment_flows_from_owner_to_signed_off(owner, officer, committee, own_system) -> None:
    client = owner.client()
    client.post(
        reverse("risks:ia-create", args=[own_system.pk]),
        {"summary": "Scores applicants", "affected_stakeholders": "Applicants", "next_review_on": "2027-06-30"},
    )
    assessment = ImpactAssessment.objects.get(ai_system=own_system)
    client.post(
        reverse("risks:impact-create", args=[assessment.pk]),
        {
            "area": "fairness",
            "scope": "groups",
            "affected": "Older",
            "description": "Lower scores",
            "severity": "major",
        },
    )
    officer.client().post(reverse("risks:ia-request-signoff", args=[assessment.pk]), {"note": ""})
    committee.client().post(
        reverse("risks:ia-signoff", args=[assessment.pk]), {"decision": "approve", "rationale": "ok"}
    )
    assessment.refresh_from_db()
    assert assessment.status == "signed_off" and assessment.impacts.count() == 1


def test_the_system_page_tag_shows_an_assessment_due_for_review(officer, own_assessment) -> None:
    ImpactFactory(assessment=own_assessment)
    services.mark_impact_assessments_due([own_assessment.ai_system_id], "CreditLens: purpose changed")
    request = RequestFactory().get("/")
    request.user = officer.user
    html = Template("{% load risks_tags %}{% system_impact system %}").render(
        Context({"request": request, "system": own_assessment.ai_system})
    )
    assert "Due for review" in html and "purpose changed" in html


def test_the_system_page_tag_says_when_an_assessment_is_missing(owner, own_system) -> None:
    request = RequestFactory().get("/")
    request.user = owner.user
    html = Template("{% load risks_tags %}{% system_impact system %}").render(
        Context({"request": request, "system": own_system})
    )
    assert "No impact assessment yet" in html and "Start the impact assessment" in html


def test_an_officer_sets_a_new_criteria_version(officer) -> None:
    response = officer.client().post(
        reverse("risks:criteria-create"),
        {
            "name": "3x3",
            "likelihood_scale": "Low\nMid\nHigh",
            "impact_scale": "Low\nMid\nHigh",
            "levels": "low 3 owner\nhigh 9 committee",
        },
    )
    assert response.status_code == 302
    html = officer.client().get(response["Location"]).content.decode()
    assert "v2 3x3" in html and "In force." in html


def test_bad_criteria_come_back_as_form_errors(officer) -> None:
    response = officer.client().post(
        reverse("risks:criteria-create"),
        {"name": "bad", "likelihood_scale": "Low\nHigh", "impact_scale": "Low\nHigh", "levels": "low 2 owner"},
    )
    assert response.status_code == 400 and "highest score" in response.content.decode()


def test_the_ai_system_page_shows_its_impact_assessment_falling_due(officer) -> None:
    from django.urls import reverse

    from risks import services as risk_services
    from tests.risks.factories import ImpactAssessmentFactory

    assessment = ImpactAssessmentFactory()
    system = assessment.ai_system
    risk_services.mark_impact_assessments_due([system], "The system's purpose changed.")
    page = officer.client().get(reverse("registry:system-detail", kwargs={"pk": system.pk}))
    html = page.content.decode()
    assert "Impact assessment (ISO/IEC 42001 6.1.4, A.5)" in html
    assert "Due for review" in html
    assert "purpose changed" in html
