"""Internal audit (9.2) and nonconformity and corrective action (10.2)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aims.core.exceptions import Conflict, ServiceError
from aims.governance import services
from aims.governance.choices import NonconformitySource, NonconformityStatus
from aims.governance.models import Nonconformity
from tests.governance.factories import (
    AuditFactory,
    AuditFindingFactory,
    AuditProgrammeFactory,
    CorrectiveActionFactory,
    IncidentFactory,
    NonconformityFactory,
)


def test_an_audit_has_scope_criteria_period_and_auditors(officer, auditor) -> None:
    programme = AuditProgrammeFactory()
    response = officer.api().post(
        reverse("api:aims-audit-list"),
        {
            "programme": programme.pk,
            "title": "Clause 9",
            "scope": "Monitoring",
            "criteria": "ISO/IEC 42001 9.1",
            "period_start": "2026-05-01",
            "period_end": "2026-05-03",
            "auditors": ["auditor"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["auditors"] == ["auditor"]
    backwards = officer.api().patch(
        reverse("api:aims-audit-detail", kwargs={"pk": response.json()["id"]}),
        {"period_end": "2026-04-01"},
        format="json",
    )
    assert backwards.status_code == 400


@pytest.mark.parametrize("grade", ["major", "minor", "observation", "opportunity"])
def test_findings_take_the_four_grades(officer, grade: str) -> None:
    audit = AuditFactory()
    response = officer.api().post(
        reverse("api:aims-audit-finding-list"),
        {"audit": audit.pk, "grade": grade, "description": "Seen."},
        format="json",
    )
    assert response.status_code == 201


def test_a_minor_finding_raises_a_nonconformity_and_an_observation_does_not(officer, owner) -> None:
    minor = AuditFindingFactory(grade="minor")
    response = officer.client().post(
        reverse("governance:finding-raise", kwargs={"pk": minor.pk}), {"owner": owner.user.pk}
    )
    assert response.status_code == 302
    nc = Nonconformity.objects.get()
    assert (nc.source, nc.finding, nc.owner) == (NonconformitySource.AUDIT, minor, owner.user)
    observation = AuditFindingFactory(grade="observation")
    refused = officer.api().post(
        reverse("api:aims-audit-finding-raise", kwargs={"pk": observation.pk}), {"owner": "owner"}, format="json"
    )
    assert refused.status_code == 400


def test_nonconformities_come_from_findings_failing_controls_or_incidents(officer) -> None:
    with pytest.raises(Exception, match="failing control"):
        services.create_record(
            model=Nonconformity,
            user=officer.user,
            title="x",
            description="y",
            source="control",
            owner=officer.user,
            raised_on="2026-11-01",
        )
    from_control = services.create_record(
        model=Nonconformity,
        user=officer.user,
        title="x",
        description="y",
        source="control",
        control_reference="A.6.2.6",
        owner=officer.user,
        raised_on="2026-11-01",
    )
    from_incident = services.create_record(
        model=Nonconformity,
        user=officer.user,
        title="z",
        description="y",
        source="incident",
        incident=IncidentFactory(),
        owner=officer.user,
        raised_on="2026-11-01",
    )
    assert from_control.pk and from_incident.incident_id


def test_closing_needs_the_root_cause_done_actions_and_an_effectiveness_review(officer) -> None:
    nc = NonconformityFactory()
    with pytest.raises(ServiceError):
        services.close_nonconformity(nonconformity=nc, user=officer.user, effectiveness_review="Effective")
    services.update_record(obj=nc, user=officer.user, root_cause="No template")
    action = CorrectiveActionFactory(nonconformity=nc)
    with pytest.raises(Conflict):
        services.close_nonconformity(nonconformity=nc, user=officer.user, effectiveness_review="Effective")
    services.update_record(obj=action, user=officer.user, status="done", completed_on="2026-11-20")
    response = officer.api().post(
        reverse("api:aims-nonconformity-close", kwargs={"pk": nc.pk}),
        {"effectiveness_review": "No repeat in 3 months."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    nc.refresh_from_db()
    assert nc.status == NonconformityStatus.CLOSED and nc.closed_by == officer.user
    edit = officer.api().patch(
        reverse("api:aims-nonconformity-detail", kwargs={"pk": nc.pk}), {"title": "x"}, format="json"
    )
    assert edit.status_code == 409


def test_owners_and_committee_cannot_close_a_nonconformity(owner, committee) -> None:
    nc = NonconformityFactory(root_cause="Known")
    for persona in (owner, committee):
        response = persona.api().post(
            reverse("api:aims-nonconformity-close", kwargs={"pk": nc.pk}),
            {"effectiveness_review": "ok"},
            format="json",
        )
        assert response.status_code == 403


def test_an_owner_reports_progress_on_their_own_action_only(owner, officer) -> None:
    mine = CorrectiveActionFactory(owner=owner.user)
    theirs = CorrectiveActionFactory(owner=officer.user)
    url = reverse("api:aims-corrective-action-detail", kwargs={"pk": mine.pk})
    done = owner.api().patch(url, {"status": "done", "completed_on": "2026-11-20"}, format="json")
    assert done.status_code == 200, done.json()
    moved = owner.api().patch(url, {"due_on": "2030-01-01"}, format="json")
    assert moved.status_code == 403
    other = owner.api().patch(
        reverse("api:aims-corrective-action-detail", kwargs={"pk": theirs.pk}), {"status": "done"}, format="json"
    )
    assert other.status_code == 403
    mine.refresh_from_db()
    assert mine.history.latest().history_user == owner.user
