"""Writes to the risk criteria, the risk register and the impact assessments.

Each one checks who may do it, validates with `full_clean()` and sets the history user and reason. Decisions
(committee acceptance of a residual risk, sign-off of an impact assessment) go through the platform's
`request_decision` and `decide`, so they are four-eyes decision rows like every other approval.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from aims.core import services as core_services
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed, ServiceError
from aims.core.models import Decision
from registry.models import AISystem, CatalogModel
from risks.choices import Acceptor, ActionStatus, AssessmentStatus, RiskStatus
from risks.models import (
    EDIT_ALL,
    REQUEST_ACCEPTANCE,
    Impact,
    ImpactAssessment,
    Risk,
    RiskAcceptance,
    RiskCriteria,
    TreatmentAction,
)

RISK_FIELDS = (
    "title",
    "description",
    "ai_system",
    "source",
    "objectives",
    "affected_parties",
    "inherent_likelihood",
    "inherent_impact",
    "existing_controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "treatment_plan",
    "owner",
    "review_on",
    "status",
)
RATING_FIELDS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")
# Accepted and acceptance-pending are reached only through the acceptance operations.
EDITABLE_STATUSES = (RiskStatus.OPEN, RiskStatus.TREATMENT, RiskStatus.CLOSED)
ASSESSMENT_FIELDS = ("summary", "affected_stakeholders", "next_review_on")
IMPACT_FIELDS = ("area", "scope", "affected", "description", "severity", "mitigations")


# --- helpers --------------------------------------------------------------------------------------------------


def require_perms(user: Any, *perms: str, message: str) -> None:
    if not (user and user.is_authenticated and user.has_perms(perms)):
        raise NotAllowed(message)


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")


def _save(obj: models.Model, *, user: Any, reason: str) -> None:
    obj.full_clean()
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason[:100]  # type: ignore[attr-defined]
    obj.save()


def _may_change(user: Any, obj: models.Model) -> bool:
    return type(obj).objects.restrict(user, "change").filter(pk=obj.pk).exists()  # type: ignore[attr-defined]


def _owns_system(user: Any, system: AISystem | None) -> bool:
    if user.has_perm(EDIT_ALL):
        return True
    return system is not None and system.owner_id == user.pk


def _version(obj: models.Model) -> str:
    """The pin a decision decides: the latest history row of the subject."""
    latest = obj.history.order_by("-history_id").first()  # type: ignore[attr-defined]
    return f"history:{latest.history_id}" if latest else "history:0"


# --- criteria (6.1.2) -----------------------------------------------------------------------------------------


def current_criteria() -> RiskCriteria:
    criteria = RiskCriteria.objects.filter(in_force=True).first()
    if criteria is None:
        raise Conflict("No risk criteria are in force; an officer must set them first.")
    return criteria


@transaction.atomic
def create_criteria_version(
    *,
    user: Any,
    name: str,
    likelihood_scale: list[dict[str, Any]],
    impact_scale: list[dict[str, Any]],
    levels: list[dict[str, Any]],
    note: str = "",
) -> RiskCriteria:
    """Put a new version of the criteria in force. Past versions stay, as the risks assessed with them do."""
    require_perms(user, "risks.add_riskcriteria", message="You may not change the risk criteria.")
    previous = RiskCriteria.objects.select_for_update().filter(in_force=True).first()
    top = RiskCriteria.objects.aggregate(top=models.Max("version"))["top"] or 0
    criteria = RiskCriteria(
        version=top + 1,
        name=name,
        likelihood_scale=likelihood_scale,
        impact_scale=impact_scale,
        levels=levels,
        note=note,
        created_by=user,
    )
    criteria.full_clean(exclude=["in_force"])
    if previous is not None:
        previous.in_force = False
        _save(previous, user=user, reason=f"Superseded by v{criteria.version}")
    criteria.in_force = True
    _save(criteria, user=user, reason=note or f"Version {criteria.version} in force")
    return criteria


# --- risks (6.1.2, 8.2) ---------------------------------------------------------------------------------------


@transaction.atomic
def create_risk(*, user: Any, reason: str = "", controls: Iterable[Any] | None = None, **fields: Any) -> Risk:
    """Record a risk under the criteria in force. Owners record risks of their own AI systems only."""
    require_perms(user, "risks.add_risk", message="You may not record risks.")
    _check_fields(fields, RISK_FIELDS)
    if not _owns_system(user, fields.get("ai_system")):
        raise NotAllowed("You may record risks only for the AI systems you own.")
    if fields.get("status", RiskStatus.OPEN) not in EDITABLE_STATUSES:
        raise ServiceError(
            "A risk is accepted through the acceptance, not by its status.", fields={"status": ["Not allowed."]}
        )
    risk = Risk(criteria=current_criteria(), **fields)
    risk.full_clean(exclude=["inherent_score", "residual_score"])
    risk.recalculate()
    _save(risk, user=user, reason=reason or "Risk recorded")
    if controls is not None:
        risk.controls.set(controls)
    return risk


@transaction.atomic
def update_risk(
    *,
    risk: Risk,
    user: Any,
    reason: str = "",
    controls: Iterable[Any] | None = None,
    reassess: bool = False,
    **fields: Any,
) -> Risk:
    """Change a risk and recalculate its scores and levels.

    `reassess` moves it to the criteria in force. A change of the residual rating ends an acceptance: what was
    accepted is no longer the risk. While an acceptance is pending the rating cannot change.
    """
    require_perms(user, "risks.change_risk", message="You may not change risks.")
    _check_fields(fields, RISK_FIELDS)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if not _may_change(user, risk):
        raise NotAllowed("You may change only the risks of the AI systems you own.")
    if "ai_system" in fields and fields["ai_system"] != risk.ai_system and not _owns_system(user, fields["ai_system"]):
        raise NotAllowed("You may move a risk only to an AI system you own.")
    if "owner" in fields and fields["owner"] != risk.owner and not user.has_perm(EDIT_ALL):
        raise NotAllowed("Only a governance officer may hand a risk to another owner.")
    status = fields.get("status", risk.status)
    if status != risk.status and status not in EDITABLE_STATUSES:
        raise ServiceError(
            "A risk is accepted through the acceptance, not by its status.", fields={"status": ["Not allowed."]}
        )
    if "status" in fields and fields["status"] == risk.status:
        fields.pop("status")
    changed = [name for name, value in fields.items() if getattr(risk, name) != value]
    rating_changed = bool(set(changed) & set(RATING_FIELDS)) or reassess
    if rating_changed and risk.status == RiskStatus.ACCEPTANCE_PENDING:
        raise Conflict("An acceptance of this risk is pending: withdraw it before changing the rating.")
    for name, value in fields.items():
        setattr(risk, name, value)
    if reassess:
        risk.criteria = current_criteria()
        changed.append(f"criteria v{risk.criteria.version}")
    risk.full_clean(exclude=["inherent_score", "residual_score"])
    risk.recalculate()
    if rating_changed and risk.status == RiskStatus.ACCEPTED and "status" not in fields:
        risk.status = RiskStatus.OPEN
        risk.accepted_until = None
        changed.append("acceptance ended by the new rating")
    if risk.status != RiskStatus.ACCEPTED:
        risk.accepted_until = None
    _save(risk, user=user, reason=reason or f"Changed {', '.join(changed) or 'nothing'}")
    if controls is not None:
        risk._history_user = user  # type: ignore[attr-defined]
        risk.controls.set(controls)
    return risk


@transaction.atomic
def add_action(*, risk: Risk, user: Any, description: str, owner: Any, due_on: date) -> TreatmentAction:
    """Add an action to a risk's treatment plan."""
    require_perms(user, "risks.change_risk", "risks.add_treatmentaction", message="You may not plan treatments.")
    if not _may_change(user, risk):
        raise NotAllowed("You may plan treatments only for the risks of the AI systems you own.")
    action = TreatmentAction(risk=risk, description=description, owner=owner, due_on=due_on)
    _save(action, user=user, reason="Treatment action planned")
    if risk.status == RiskStatus.OPEN:
        risk.status = RiskStatus.TREATMENT
        _save(risk, user=user, reason="Treatment planned")
    return action


@transaction.atomic
def complete_action(*, action: TreatmentAction, user: Any, completed_on: date | None = None) -> TreatmentAction:
    require_perms(user, "risks.change_treatmentaction", message="You may not change treatment actions.")
    action = TreatmentAction.objects.select_for_update().get(pk=action.pk)
    if not _may_change(user, action.risk) and action.owner_id != user.pk:
        raise NotAllowed("You may complete only actions of your risks, or actions you own.")
    if action.status == ActionStatus.DONE:
        raise Conflict("This action is done already.")
    action.status = ActionStatus.DONE
    action.completed_on = completed_on or timezone.localdate()
    _save(action, user=user, reason="Treatment action done")
    return action


# --- acceptance (6.1.3 e, 8.3) --------------------------------------------------------------------------------


def _check_expiry(expires_on: date | None) -> date:
    if expires_on is None or expires_on <= timezone.localdate():
        raise ServiceError("An acceptance expires in the future.", fields={"expires_on": ["Give a future date."]})
    return expires_on


def _acceptance_row(risk: Risk, **extra: Any) -> RiskAcceptance:
    return RiskAcceptance(
        risk=risk,
        level=risk.level,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        criteria_version=risk.criteria.version,
        **extra,
    )


@transaction.atomic
def accept_as_owner(*, risk: Risk, user: Any, expires_on: date, rationale: str) -> RiskAcceptance:
    """The risk owner accepts a residual risk within the owner's threshold (no committee needed)."""
    require_perms(user, "risks.change_risk", message="You may not accept risks.")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.acceptor != Acceptor.OWNER:
        raise Conflict(f"A {risk.get_level_display().lower()} residual risk needs the committee's acceptance.")
    if risk.owner_id != user.pk:
        raise NotAllowed("Only the risk's owner accepts it at owner level.")
    if risk.status in (RiskStatus.ACCEPTANCE_PENDING, RiskStatus.CLOSED):
        raise Conflict("Only an open risk or one in treatment can be accepted.")
    if not rationale.strip():
        raise ServiceError("An acceptance needs a rationale.", fields={"rationale": ["This field is required."]})
    acceptance = _acceptance_row(
        risk,
        acceptor=Acceptor.OWNER,
        expires_on=_check_expiry(expires_on),
        rationale=rationale,
        requested_by=user,
        accepted_by=user,
        accepted_at=timezone.now(),
    )
    acceptance.full_clean()
    acceptance.save()
    risk.status = RiskStatus.ACCEPTED
    risk.accepted_until = acceptance.expires_on
    _save(risk, user=user, reason=f"Accepted by the owner until {acceptance.expires_on.isoformat()}")
    return acceptance


@transaction.atomic
def request_acceptance(*, risk: Risk, user: Any, expires_on: date, note: str = "") -> RiskAcceptance:
    """Ask the committee to accept a residual risk above the owner's threshold, until `expires_on`.

    Officers ask for any risk (`core.request_decision`); an owner asks for the risks they may change, those of
    their own AI systems and those they own (`risks.request_risk_acceptance`). Only the committee decides.
    """
    require_perms(user, "risks.view_risk", message="You may not request risk acceptance.")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    permission = "core.request_decision"
    if not user.has_perm(permission):
        permission = REQUEST_ACCEPTANCE
        if not (user.has_perm(permission) and _may_change(user, risk)):
            raise NotAllowed("You may request the acceptance only of the risks of the AI systems you own.")
    if risk.acceptor != Acceptor.COMMITTEE:
        raise Conflict("This residual risk is within the owner's threshold: its owner accepts it.")
    if risk.status in (RiskStatus.ACCEPTANCE_PENDING, RiskStatus.CLOSED) or (
        risk.status == RiskStatus.ACCEPTED and not risk.acceptance_expired
    ):
        raise Conflict("Only an open risk or one in treatment can be put up for acceptance.")
    expires_on = _check_expiry(expires_on)
    decision = core_services.request_decision(
        kind=DecisionKind.RISK_ACCEPTANCE,
        subject=risk,
        version=_version(risk),
        requested_by=user,
        note=note,
        permission=permission,
    )
    acceptance = _acceptance_row(
        risk, acceptor=Acceptor.COMMITTEE, decision=decision, expires_on=expires_on, requested_by=user
    )
    acceptance.full_clean()
    acceptance.save()
    risk.status = RiskStatus.ACCEPTANCE_PENDING
    risk.accepted_until = None
    _save(risk, user=user, reason="Committee acceptance requested")
    return acceptance


def pending_acceptance(risk: Risk) -> RiskAcceptance | None:
    return (
        RiskAcceptance.objects.select_related("decision")
        .filter(risk=risk, decision__status=DecisionStatus.PENDING)
        .first()
    )


@transaction.atomic
def decide_acceptance(
    *, risk: Risk, user: Any, approve: bool, rationale: str, expires_on: date | None = None
) -> RiskAcceptance:
    """A committee member accepts (or refuses) a residual risk, with a rationale and an expiry.

    Four eyes: neither the requester (the platform's rule) nor the risk's owner or its system's owner may
    accept it, since they answer for the risk.
    """
    require_perms(user, "risks.view_risk", "core.decide_decision", message="You may not decide risk acceptance.")
    risk = Risk.objects.select_for_update(of=("self",)).select_related("ai_system").get(pk=risk.pk)
    acceptance = pending_acceptance(risk)
    if acceptance is None:
        raise Conflict("No acceptance of this risk is pending.")
    if user.pk in {risk.owner_id, risk.ai_system.owner_id if risk.ai_system else None}:
        raise FourEyesViolation("Four eyes: you answer for this risk, so another committee member must accept it.")
    if not rationale.strip():
        raise ServiceError(
            "A decision on a risk needs a rationale.", fields={"rationale": ["This field is required."]}
        )
    if approve and expires_on is not None:
        acceptance.expires_on = _check_expiry(expires_on)
        acceptance.save(update_fields=["expires_on"])
    # decide() runs on_acceptance_decided, which applies the outcome to the risk.
    core_services.decide(decision=acceptance.decision, user=user, approve=approve, rationale=rationale)
    acceptance.refresh_from_db()
    return acceptance


def on_acceptance_decided(decision: Decision) -> None:
    """After-decision hook of RISK_ACCEPTANCE, inside decide()'s transaction: refuse a decider who answers for
    the risk (the exception rolls the decision back), then apply the outcome to the risk."""
    risk = Risk.objects.select_for_update(of=("self",)).select_related("ai_system").get(pk=decision.subject_id)
    if decision.decided_by_id in {risk.owner_id, risk.ai_system.owner_id if risk.ai_system else None}:
        raise FourEyesViolation("Four eyes: you answer for this risk, so another committee member must accept it.")
    acceptance = RiskAcceptance.objects.filter(decision=decision).first()
    if acceptance is None or risk.status != RiskStatus.ACCEPTANCE_PENDING:
        return
    _apply_decision(risk, acceptance, decision, user=decision.decided_by)


def _apply_decision(risk: Risk, acceptance: RiskAcceptance, decision: Decision, *, user: Any) -> None:
    if decision.status == DecisionStatus.APPROVED:
        acceptance.accepted_by = decision.decided_by
        acceptance.accepted_at = decision.decided_at
        acceptance.rationale = decision.rationale
        acceptance.save(update_fields=["accepted_by", "accepted_at", "rationale", "expires_on"])
        risk.status = RiskStatus.ACCEPTED
        risk.accepted_until = acceptance.expires_on
        _save(risk, user=user, reason=f"Accepted by the committee until {acceptance.expires_on.isoformat()}")
    else:
        risk.status = RiskStatus.TREATMENT
        risk.accepted_until = None
        _save(risk, user=user, reason=f"Acceptance {decision.get_status_display().lower()}")


@transaction.atomic
def sync_decided_acceptances() -> int:
    """Apply acceptance decisions made through the generic decisions endpoint, which knows nothing of risks."""
    count = 0
    stale = (
        RiskAcceptance.objects.select_related("decision", "risk")
        .filter(risk__status=RiskStatus.ACCEPTANCE_PENDING, decision__isnull=False)
        .exclude(decision__status=DecisionStatus.PENDING)
    )
    for acceptance in stale:
        risk = Risk.objects.select_for_update().get(pk=acceptance.risk_id)
        if risk.status != RiskStatus.ACCEPTANCE_PENDING:
            continue
        _apply_decision(risk, acceptance, acceptance.decision, user=acceptance.decision.decided_by)
        count += 1
    return count


def reopen_expired_acceptances(*, today: date | None = None) -> list[int]:
    """Reopen every risk whose acceptance has expired; each in its own transaction, kept in the history."""
    today = today or timezone.localdate()
    reopened = []
    for pk in Risk.objects.filter(status=RiskStatus.ACCEPTED, accepted_until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            risk = Risk.objects.select_for_update().get(pk=pk)
            if risk.status != RiskStatus.ACCEPTED or risk.accepted_until is None or risk.accepted_until >= today:
                continue  # someone else got there first
            expired = risk.accepted_until
            risk.status = RiskStatus.OPEN
            risk.accepted_until = None
            _save(risk, user=None, reason=f"Acceptance expired on {expired.isoformat()}: reopened")
            reopened.append(pk)
    return reopened


# --- impact assessments (6.1.4, 8.4, A.5) ---------------------------------------------------------------------


def system_snapshot(system: AISystem) -> dict[str, Any]:
    """What an impact assessment was made for: the purpose, the tier and the approved models of the system."""
    approved = CatalogModel.objects.approved().filter(use_cases__ai_system=system).distinct()
    return {
        "purpose": system.purpose,
        "risk_tier": system.risk_tier,
        "models": sorted({f"{m.provider}/{m.gateway_name}@{m.pin}" for m in approved}),
    }


def snapshot_differences(assessment: ImpactAssessment) -> list[str]:
    """What changed in the system since its snapshot, in words; empty when nothing did."""
    current = system_snapshot(assessment.ai_system)
    recorded = assessment.snapshot or {}
    out = []
    if recorded.get("purpose") != current["purpose"]:
        out.append("purpose changed")
    if recorded.get("risk_tier") != current["risk_tier"]:
        out.append(f"tier {recorded.get('risk_tier')} → {current['risk_tier']}")
    if sorted(recorded.get("models", [])) != current["models"]:
        out.append("approved models changed")
    return out


def _reopen_for_edit(assessment: ImpactAssessment) -> None:
    # A signed-off assessment that is edited is no longer what was signed: it needs a new sign-off.
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        assessment.status = AssessmentStatus.DRAFT


@transaction.atomic
def create_impact_assessment(*, user: Any, ai_system: AISystem, reason: str = "", **fields: Any) -> ImpactAssessment:
    require_perms(user, "risks.add_impactassessment", message="You may not start impact assessments.")
    _check_fields(fields, ASSESSMENT_FIELDS)
    if not _owns_system(user, ai_system):
        raise NotAllowed("You may assess only the AI systems you own.")
    if ImpactAssessment.objects.filter(ai_system=ai_system).exists():
        raise Conflict("This AI system has an impact assessment already: revise it.")
    assessment = ImpactAssessment(ai_system=ai_system, prepared_by=user, snapshot=system_snapshot(ai_system), **fields)
    _save(assessment, user=user, reason=reason or "Impact assessment started")
    return assessment


@transaction.atomic
def update_impact_assessment(
    *, assessment: ImpactAssessment, user: Any, reason: str = "", **fields: Any
) -> ImpactAssessment:
    require_perms(user, "risks.change_impactassessment", message="You may not change impact assessments.")
    _check_fields(fields, ASSESSMENT_FIELDS)
    assessment = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not _may_change(user, assessment):
        raise NotAllowed("You may change only the impact assessments of the AI systems you own.")
    if assessment.status == AssessmentStatus.SIGNOFF_PENDING:
        raise Conflict("A sign-off is pending: it must be decided before the assessment changes.")
    changed = [name for name, value in fields.items() if getattr(assessment, name) != value]
    for name, value in fields.items():
        setattr(assessment, name, value)
    if changed:
        _reopen_for_edit(assessment)
    _save(assessment, user=user, reason=reason or f"Changed {', '.join(changed) or 'nothing'}")
    return assessment


@transaction.atomic
def add_impact(*, assessment: ImpactAssessment, user: Any, **fields: Any) -> Impact:
    require_perms(user, "risks.change_impactassessment", "risks.add_impact", message="You may not record impacts.")
    _check_fields(fields, IMPACT_FIELDS)
    assessment = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not _may_change(user, assessment):
        raise NotAllowed("You may change only the impact assessments of the AI systems you own.")
    if assessment.status == AssessmentStatus.SIGNOFF_PENDING:
        raise Conflict("A sign-off is pending: it must be decided before the assessment changes.")
    impact = Impact(assessment=assessment, **fields)
    _save(impact, user=user, reason="Impact recorded")
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        _reopen_for_edit(assessment)
        _save(assessment, user=user, reason="Impact added: needs a new sign-off")
    return impact


@transaction.atomic
def request_signoff(*, assessment: ImpactAssessment, user: Any, note: str = "") -> Decision:
    """Ask a reviewer to sign the assessment off as it is now (four eyes)."""
    require_perms(user, "risks.view_impactassessment", message="You may not request sign-off.")
    assessment = ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status == AssessmentStatus.SIGNED_OFF:
        raise Conflict("This assessment is signed off as it is.")
    if not assessment.impacts.exists():
        raise Conflict("Record at least one impact before asking for sign-off.")
    decision = core_services.request_decision(
        kind=DecisionKind.IMPACT_ASSESSMENT,
        subject=assessment,
        version=_version(assessment),
        requested_by=user,
        note=note,
    )
    assessment.status = AssessmentStatus.SIGNOFF_PENDING
    _save(assessment, user=user, reason="Sign-off requested")
    return decision


def pending_signoff(assessment: ImpactAssessment) -> Decision | None:
    return Decision.objects.filter(
        kind=DecisionKind.IMPACT_ASSESSMENT,
        subject_type__app_label="risks",
        subject_type__model="impactassessment",
        subject_id=str(assessment.pk),
        status=DecisionStatus.PENDING,
    ).first()


@transaction.atomic
def decide_signoff(*, assessment: ImpactAssessment, user: Any, approve: bool, rationale: str = "") -> Decision:
    """Sign the assessment off (or send it back). Neither the requester nor the system's owner may sign it off."""
    require_perms(user, "risks.view_impactassessment", "core.decide_decision", message="You may not sign off.")
    assessment = ImpactAssessment.objects.select_for_update().select_related("ai_system").get(pk=assessment.pk)
    decision = pending_signoff(assessment)
    if decision is None:
        raise Conflict("No sign-off of this assessment is pending.")
    if user.pk == assessment.ai_system.owner_id:
        raise FourEyesViolation("Four eyes: you own this AI system, so someone else must sign its assessment off.")
    # decide() runs on_signoff_decided, which applies the outcome to the assessment.
    return core_services.decide(decision=decision, user=user, approve=approve, rationale=rationale)


def on_signoff_decided(decision: Decision) -> None:
    """After-decision hook of IMPACT_ASSESSMENT, inside decide()'s transaction: refuse the system's owner (the
    exception rolls the decision back), then sign the assessment off or send it back."""
    assessment = ImpactAssessment.objects.select_for_update().select_related("ai_system").get(pk=decision.subject_id)
    user = decision.decided_by
    if decision.decided_by_id == assessment.ai_system.owner_id:
        raise FourEyesViolation("Four eyes: you own this AI system, so someone else must sign its assessment off.")
    if assessment.status != AssessmentStatus.SIGNOFF_PENDING:
        return
    if decision.status == DecisionStatus.APPROVED:
        assessment.status = AssessmentStatus.SIGNED_OFF
        assessment.snapshot = system_snapshot(assessment.ai_system)
        assessment.signed_off_by = user
        assessment.signed_off_at = decision.decided_at
        assessment.review_reason = ""
        assessment.review_due_since = None
        _save(assessment, user=user, reason="Signed off")
    else:
        assessment.status = AssessmentStatus.DRAFT
        _save(assessment, user=user, reason="Sign-off refused")


def _system_ids(systems: Iterable[Any]) -> set[int]:
    return {s if isinstance(s, int) else s.pk for s in systems}


@transaction.atomic
def mark_impact_assessments_due(systems: Iterable[AISystem | int], reason: str) -> list[ImpactAssessment]:
    """Mark the impact assessments of these systems due for review, because of `reason`.

    Call it with `Change.material.system_ids` (and its reasons) after a register write. An assessment already
    due keeps its first date and collects the reasons.
    """
    marked = []
    now = timezone.now()
    for assessment in ImpactAssessment.objects.select_for_update().filter(ai_system_id__in=_system_ids(systems)):
        lines = [line for line in assessment.review_reason.splitlines() if line]
        if reason not in lines:
            lines.append(reason)
        assessment.review_reason = "\n".join(lines)[:4000]
        if assessment.status != AssessmentStatus.REVIEW_DUE:
            assessment.status = AssessmentStatus.REVIEW_DUE
            assessment.review_due_since = now
        _save(assessment, user=None, reason=f"Review due: {reason}")
        marked.append(assessment)
    return marked


def reconcile_impact_assessments() -> list[int]:
    """Compare every assessment's snapshot with its system now, and mark those that differ due for review.

    This catches changes made through any path (admin, import, a colleague's new service), not only the ones
    whose caller passed on the register's `Change`.
    """
    marked = []
    for assessment in ImpactAssessment.objects.select_related("ai_system").exclude(status=AssessmentStatus.REVIEW_DUE):
        differences = snapshot_differences(assessment)
        if differences:
            mark_impact_assessments_due([assessment.ai_system_id], f"{assessment.ai_system}: {', '.join(differences)}")
            marked.append(assessment.pk)
    return marked


def on_material_change(material: Any) -> list[ImpactAssessment]:
    """Hook for the register's `Change.material` (registry/services.py): mark the affected systems' impact
    assessments due, giving the register's reasons. A no-op for an empty change."""
    if not material:
        return []
    return mark_impact_assessments_due(material.system_ids, "; ".join(material.reasons))
