"""Risk criteria, the residual recalculation, treatment, acceptance with its expiry, and the impact re-trigger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed, ServiceError
from aims.core.models import Decision
from aims.core.services import decide
from registry import services as registry_services
from risks import services
from risks.models import Risk, RiskCriteria
from risks.tasks import reconcile_impact_assessments, reopen_expired_acceptances
from tests.registry.factories import CatalogModelFactory, UseCaseFactory, pending_model_decision
from tests.risks.factories import ImpactFactory, TreatmentActionFactory

TODAY = timezone.localdate


def _new_risk(user, system, **extra):
    fields = {
        "title": "Drift",
        "ai_system": system,
        "source": "C.3.4",
        "affected_parties": "Applicants",
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "residual_likelihood": 2,
        "residual_impact": 2,
        "owner": system.owner if system else user,
        "review_on": TODAY() + timedelta(days=90),
        **extra,
    }
    return services.create_risk(user=user, **fields)


# --- criteria -------------------------------------------------------------------------------------------------


def test_the_default_criteria_map_scores_to_levels_and_acceptors(db) -> None:
    criteria = RiskCriteria.objects.get(in_force=True)
    assert (criteria.likelihood_steps, criteria.impact_steps) == (5, 5)
    assert criteria.level_for(2, 2) == "low"
    assert criteria.level_for(3, 3) == "medium"
    assert criteria.level_for(3, 4) == "high"
    assert criteria.level_for(5, 5) == "critical"
    assert criteria.acceptor_for("medium") == "owner"
    assert criteria.acceptor_for("high") == "committee"


def test_a_new_criteria_version_goes_in_force_and_a_past_assessment_keeps_its_own(officer, own_system) -> None:
    risk = _new_risk(officer.user, own_system)
    old = risk.criteria
    scale = [{"value": n, "label": f"Step {n}", "description": ""} for n in (1, 2, 3)]
    new = services.create_criteria_version(
        user=officer.user,
        name="3x3",
        likelihood_scale=scale,
        impact_scale=scale,
        levels=[
            {"level": "low", "max_score": 2, "acceptor": "owner"},
            {"level": "high", "max_score": 9, "acceptor": "committee"},
        ],
    )
    old.refresh_from_db()
    risk.refresh_from_db()
    assert new.version == old.version + 1 and new.in_force and not old.in_force
    assert risk.criteria == old  # assessed with v1, still reads with v1
    assert new.history.first().history_user == officer.user
    with pytest.raises(ValidationError):
        services.update_risk(risk=risk, user=officer.user, reassess=True)  # 4x4 does not fit a 3x3 scale
    updated = services.update_risk(
        risk=risk,
        user=officer.user,
        reassess=True,
        inherent_likelihood=3,
        inherent_impact=3,
        residual_likelihood=1,
        residual_impact=2,
    )
    assert updated.criteria == new and updated.level == "low"


def test_criteria_that_do_not_reach_the_highest_score_are_refused(officer) -> None:
    scale = [{"value": n, "label": str(n)} for n in (1, 2, 3)]
    with pytest.raises(ValidationError) as exc:
        services.create_criteria_version(
            user=officer.user,
            name="x",
            likelihood_scale=scale,
            impact_scale=scale,
            levels=[{"level": "low", "max_score": 4, "acceptor": "owner"}],
        )
    assert "levels" in exc.value.message_dict
    assert RiskCriteria.objects.filter(in_force=True).get().version == 1


def test_only_officers_set_criteria(owner) -> None:
    with pytest.raises(NotAllowed):
        services.create_criteria_version(user=owner.user, name="x", likelihood_scale=[], impact_scale=[], levels=[])


# --- register and residual recalculation ----------------------------------------------------------------------


def test_scores_and_levels_are_derived_and_recalculated_when_the_rating_changes(owner, own_system) -> None:
    risk = _new_risk(owner.user, own_system, residual_likelihood=3, residual_impact=3)
    assert (risk.inherent_score, risk.inherent_level, risk.residual_score, risk.level) == (16, "high", 9, "medium")
    risk = services.update_risk(
        risk=risk, user=owner.user, residual_likelihood=1, residual_impact=2, reason="Control added"
    )
    assert (risk.residual_score, risk.level, risk.acceptor) == (2, "low", "owner")
    assert risk.history.first().history_change_reason == "Control added"


def test_a_residual_risk_above_the_inherent_one_is_refused(owner, own_system) -> None:
    with pytest.raises(ValidationError) as exc:
        _new_risk(owner.user, own_system, residual_likelihood=5, residual_impact=5)
    assert "residual_impact" in exc.value.message_dict


def test_a_rating_outside_the_scale_is_refused(owner, own_system) -> None:
    with pytest.raises(ValidationError) as exc:
        _new_risk(owner.user, own_system, inherent_likelihood=6)
    assert "inherent_likelihood" in exc.value.message_dict


def test_an_owner_records_risks_of_own_systems_only(owner, own_system, other_system) -> None:
    _new_risk(owner.user, own_system)
    with pytest.raises(NotAllowed):
        _new_risk(owner.user, other_system)
    with pytest.raises(NotAllowed):
        _new_risk(owner.user, None)  # organisation-wide risks are the officers'


def test_an_owner_edits_own_risks_but_not_others(owner, own_risk, other_risk) -> None:
    services.update_risk(risk=own_risk, user=owner.user, treatment="modify")
    with pytest.raises(NotAllowed):
        services.update_risk(risk=other_risk, user=owner.user, treatment="modify")


def test_the_auditor_and_the_committee_cannot_change_risks(auditor, committee, own_risk) -> None:
    for persona in (auditor, committee):
        with pytest.raises(NotAllowed):
            services.update_risk(risk=own_risk, user=persona.user, treatment="avoid")


def test_accepted_is_not_a_status_anyone_can_type(officer, own_risk) -> None:
    with pytest.raises(ServiceError):
        services.update_risk(risk=own_risk, user=officer.user, status="accepted")


# --- treatment ------------------------------------------------------------------------------------------------


def test_an_action_past_its_due_date_is_overdue_until_done(owner, own_risk) -> None:
    action = services.add_action(
        risk=own_risk, user=owner.user, description="Retrain", owner=owner.user, due_on=TODAY() + timedelta(days=5)
    )
    assert not action.is_overdue
    own_risk.refresh_from_db()
    assert own_risk.status == "treatment"
    late = TreatmentActionFactory(risk=own_risk, due_on=TODAY() - timedelta(days=1))
    assert late.is_overdue
    assert Risk.objects.filter(pk=own_risk.pk, actions__in=type(late).objects.overdue()).exists()
    done = services.complete_action(action=late, user=owner.user)
    assert done.status == "done" and not done.is_overdue
    with pytest.raises(Conflict):
        services.complete_action(action=done, user=owner.user)


def test_treatment_links_control_implementations(officer, own_system) -> None:
    from controls.models import ControlImplementation

    control = ControlImplementation.objects.create(
        code="CTL-1", name="Fairness test", description="x", owner=officer.user
    )
    risk = _new_risk(officer.user, own_system)
    services.update_risk(risk=risk, user=officer.user, controls=[control])
    assert list(risk.controls.all()) == [control]


# --- acceptance -----------------------------------------------------------------------------------------------


def test_the_owner_accepts_a_residual_risk_within_the_owner_threshold(owner, own_risk) -> None:
    acceptance = services.accept_as_owner(
        risk=own_risk, user=owner.user, expires_on=TODAY() + timedelta(days=30), rationale="Within appetite"
    )
    own_risk.refresh_from_db()
    assert own_risk.status == "accepted" and own_risk.accepted_until == acceptance.expires_on
    assert acceptance.state == "accepted" and acceptance.decision is None


def test_a_residual_risk_above_the_owner_threshold_needs_the_committee(owner, high_risk) -> None:
    assert high_risk.acceptor == "committee"
    with pytest.raises(Conflict):
        services.accept_as_owner(
            risk=high_risk, user=owner.user, expires_on=TODAY() + timedelta(days=30), rationale="x"
        )


def test_the_committee_accepts_with_a_rationale_and_an_expiry_as_a_decision_row(officer, committee, high_risk) -> None:
    acceptance = services.request_acceptance(
        risk=high_risk, user=officer.user, expires_on=TODAY() + timedelta(days=60)
    )
    decision = acceptance.decision
    assert decision.kind == DecisionKind.RISK_ACCEPTANCE and decision.status == DecisionStatus.PENDING
    high_risk.refresh_from_db()
    assert high_risk.status == "acceptance_pending"
    with pytest.raises(ServiceError):
        services.decide_acceptance(risk=high_risk, user=committee.user, approve=True, rationale=" ")
    services.decide_acceptance(risk=high_risk, user=committee.user, approve=True, rationale="Audit under way")
    decision.refresh_from_db()
    high_risk.refresh_from_db()
    assert decision.status == DecisionStatus.APPROVED and decision.decided_by == committee.user
    assert decision.rationale == "Audit under way"
    assert high_risk.status == "accepted" and high_risk.accepted_until == TODAY() + timedelta(days=60)


def test_four_eyes_the_owner_cannot_accept_their_own_risk_at_committee_level(officer, committee, owner) -> None:
    # The committee member owns the system and the risk: they answer for it and may not accept it.
    from tests.registry.factories import AISystemFactory
    from tests.risks.factories import RiskFactory

    system = AISystemFactory(owner=committee.user)
    risk = RiskFactory(ai_system=system, inherent_impact=5, residual_likelihood=3, residual_impact=4)
    services.request_acceptance(risk=risk, user=officer.user, expires_on=TODAY() + timedelta(days=60))
    with pytest.raises(FourEyesViolation):
        services.decide_acceptance(risk=risk, user=committee.user, approve=True, rationale="mine")


def test_four_eyes_the_requester_cannot_accept(officer, high_risk) -> None:
    officer.user.groups.add(*committee_groups())
    officer.user = type(officer.user).objects.get(pk=officer.user.pk)  # drop the permission cache
    services.request_acceptance(risk=high_risk, user=officer.user, expires_on=TODAY() + timedelta(days=60))
    with pytest.raises(FourEyesViolation):
        services.decide_acceptance(risk=high_risk, user=officer.user, approve=True, rationale="mine")


def committee_groups():
    from django.contrib.auth.models import Group

    from aims.accounts.choices import Role

    return [Group.objects.get(name=Role.COMMITTEE)]


def test_a_refused_acceptance_sends_the_risk_back_to_treatment(officer, committee, high_risk) -> None:
    services.request_acceptance(risk=high_risk, user=officer.user, expires_on=TODAY() + timedelta(days=60))
    services.decide_acceptance(risk=high_risk, user=committee.user, approve=False, rationale="Treat it first")
    high_risk.refresh_from_db()
    assert high_risk.status == "treatment"


def test_the_rating_cannot_change_while_an_acceptance_is_pending(officer, high_risk) -> None:
    services.request_acceptance(risk=high_risk, user=officer.user, expires_on=TODAY() + timedelta(days=60))
    with pytest.raises(Conflict):
        services.update_risk(risk=high_risk, user=officer.user, residual_likelihood=2)


def test_a_new_residual_rating_ends_an_acceptance(owner, own_risk) -> None:
    services.accept_as_owner(risk=own_risk, user=owner.user, expires_on=TODAY() + timedelta(days=30), rationale="ok")
    risk = services.update_risk(risk=own_risk, user=owner.user, residual_impact=2)
    assert risk.status == "open" and risk.accepted_until is None


def _expire(risk: Risk) -> None:
    past = TODAY() - timedelta(days=1)
    Risk.objects.filter(pk=risk.pk).update(accepted_until=past)
    risk.acceptances.update(expires_on=past)
    risk.refresh_from_db()


def test_an_expired_acceptance_reads_as_open_before_the_task_runs(owner, own_risk) -> None:
    services.accept_as_owner(risk=own_risk, user=owner.user, expires_on=TODAY() + timedelta(days=30), rationale="ok")
    _expire(own_risk)
    assert own_risk.status == "accepted"  # stored: the task has not run
    assert own_risk.effective_status == "open" and own_risk.acceptance_expired
    assert list(Risk.objects.with_effective_status("open")) == [own_risk]
    assert not Risk.objects.with_effective_status("accepted").exists()
    assert own_risk.acceptances.get().state == "expired"


def test_the_periodic_task_reopens_expired_acceptances_once(owner, own_risk, other_risk, officer) -> None:
    services.accept_as_owner(risk=own_risk, user=owner.user, expires_on=TODAY() + timedelta(days=30), rationale="ok")
    services.accept_as_owner(
        risk=other_risk, user=officer.user, expires_on=TODAY() + timedelta(days=30), rationale="ok"
    )
    _expire(own_risk)
    assert reopen_expired_acceptances.delay().get() == {"reopened": 1, "synced": 0}
    own_risk.refresh_from_db()
    other_risk.refresh_from_db()
    assert own_risk.status == "open" and own_risk.accepted_until is None
    assert other_risk.status == "accepted"
    assert own_risk.history.first().history_change_reason.startswith("Acceptance expired on")
    assert reopen_expired_acceptances() == {"reopened": 0, "synced": 0}


def test_an_acceptance_decided_on_the_generic_decisions_endpoint_is_applied_at_once(
    officer, committee, high_risk
) -> None:
    acceptance = services.request_acceptance(
        risk=high_risk, user=officer.user, expires_on=TODAY() + timedelta(days=60)
    )
    decide(decision=acceptance.decision, user=committee.user, approve=True, rationale="ok")
    high_risk.refresh_from_db()
    assert high_risk.status == "accepted"
    # The after-decision hook applied it inside decide(): the periodic task finds nothing left to sync.
    assert reopen_expired_acceptances() == {"reopened": 0, "synced": 0}


def test_an_acceptance_must_expire_in_the_future(owner, own_risk) -> None:
    with pytest.raises(ServiceError):
        services.accept_as_owner(risk=own_risk, user=owner.user, expires_on=TODAY(), rationale="ok")


# --- impact assessments ---------------------------------------------------------------------------------------


def _signed_off(officer, committee, system):
    assessment = services.create_impact_assessment(
        user=officer.user,
        ai_system=system,
        summary="x",
        affected_stakeholders="y",
        next_review_on=TODAY() + timedelta(days=300),
    )
    services.add_impact(
        assessment=assessment,
        user=officer.user,
        area="fairness",
        scope="groups",
        affected="a",
        description="b",
        severity="major",
    )
    services.request_signoff(assessment=assessment, user=officer.user)
    services.decide_signoff(assessment=assessment, user=committee.user, approve=True, rationale="ok")
    assessment.refresh_from_db()
    return assessment


def test_sign_off_is_a_four_eyes_decision_that_records_the_snapshot(officer, committee, own_system) -> None:
    assessment = _signed_off(officer, committee, own_system)
    assert assessment.status == "signed_off" and assessment.signed_off_by == committee.user
    assert assessment.snapshot["purpose"] == own_system.purpose
    decision = Decision.objects.get(kind=DecisionKind.IMPACT_ASSESSMENT)
    assert decision.requested_by == officer.user and decision.decided_by == committee.user


def test_the_system_owner_cannot_sign_off_the_assessment_of_their_system(officer, committee) -> None:
    from tests.registry.factories import AISystemFactory

    system = AISystemFactory(owner=committee.user)
    assessment = services.create_impact_assessment(
        user=officer.user, ai_system=system, summary="x", affected_stakeholders="y", next_review_on=TODAY()
    )
    ImpactFactory(assessment=assessment)
    services.request_signoff(assessment=assessment, user=officer.user)
    with pytest.raises(FourEyesViolation):
        services.decide_signoff(assessment=assessment, user=committee.user, approve=True)


def test_a_purpose_change_through_the_register_marks_the_assessment_due(officer, committee, own_system) -> None:
    assessment = _signed_off(officer, committee, own_system)
    change = registry_services.update_ai_system(system=own_system, user=officer.user, purpose="Now also prices loans.")
    assert change.material
    services.mark_impact_assessments_due(change.material.system_ids, "; ".join(change.material.reasons))
    assessment.refresh_from_db()
    assert assessment.status == "review_due" and "purpose changed" in assessment.review_reason
    assert assessment.review_due_since is not None


def test_reconciliation_catches_a_tier_change_made_by_any_path(officer, committee, own_system) -> None:
    assessment = _signed_off(officer, committee, own_system)
    type(own_system).objects.filter(pk=own_system.pk).update(risk_tier="minimal")  # e.g. the admin or a script
    assert reconcile_impact_assessments() == {"marked": 1}
    assessment.refresh_from_db()
    assert assessment.status == "review_due" and "tier high → minimal" in assessment.review_reason
    assert services.reconcile_impact_assessments() == []  # already due: nothing more to mark


def test_reconciliation_catches_a_newly_approved_model(officer, officer2, committee, own_system) -> None:
    assessment = _signed_off(officer, committee, own_system)
    model = CatalogModelFactory()
    model.use_cases.add(UseCaseFactory(ai_system=own_system))
    assert services.reconcile_impact_assessments() == []  # not approved yet: nothing changed
    decision = pending_model_decision(model, officer2.user)
    decide(decision=decision, user=committee.user, approve=True, rationale="EU hosting")
    assert services.reconcile_impact_assessments() == [assessment.pk]
    assessment.refresh_from_db()
    assert "approved models changed" in assessment.review_reason


def test_an_unchanged_system_is_not_marked(officer, committee, own_system) -> None:
    _signed_off(officer, committee, own_system)
    assert services.reconcile_impact_assessments() == []


def test_a_new_sign_off_clears_the_review(officer, committee, own_system) -> None:
    assessment = _signed_off(officer, committee, own_system)
    services.mark_impact_assessments_due([own_system], "tier changed")
    services.request_signoff(assessment=assessment, user=officer.user)
    services.decide_signoff(assessment=assessment, user=committee.user, approve=True, rationale="reviewed")
    assessment.refresh_from_db()
    assert assessment.status == "signed_off" and assessment.review_reason == ""


def test_an_owner_assesses_own_systems_only(owner, own_system, other_system) -> None:
    services.create_impact_assessment(
        user=owner.user, ai_system=own_system, summary="x", affected_stakeholders="y", next_review_on=TODAY()
    )
    with pytest.raises(NotAllowed):
        services.create_impact_assessment(
            user=owner.user, ai_system=other_system, summary="x", affected_stakeholders="y", next_review_on=TODAY()
        )
    with pytest.raises(Conflict):
        services.create_impact_assessment(
            user=owner.user, ai_system=own_system, summary="x", affected_stakeholders="y", next_review_on=TODAY()
        )


def test_the_register_change_hook_marks_the_affected_assessment_due(officer, committee, own_system) -> None:
    assessment = _signed_off(officer, committee, own_system)
    unchanged = registry_services.update_ai_system(system=own_system, user=officer.user, business_unit="Lending")
    assert services.on_material_change(unchanged.material) == []
    change = registry_services.classify_ai_system(system=own_system, user=officer.user, answers={})
    assert [a.pk for a in services.on_material_change(change.material)] == [assessment.pk]
    assessment.refresh_from_db()
    assert assessment.status == "review_due" and "tier" in assessment.review_reason
