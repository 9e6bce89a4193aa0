"""Writes for decision rows. Every approval in the portal goes through `request_decision` and `decide`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed, ServiceError
from aims.core.models import Decision

# What a decided row sets in motion in the app that owns its subject (e.g. numbering an approved SoA version).
# Apps register their handler explicitly in AppConfig.ready(); decide() calls it inside its transaction, so the
# generic decisions page and an app's own page leave the same state.
_AFTER_DECISION: dict[str, Callable[[Decision], None]] = {}


def after_decision(kind: DecisionKind, handler: Callable[[Decision], None]) -> None:
    _AFTER_DECISION[kind] = handler


@transaction.atomic
def request_decision(
    *,
    kind: DecisionKind,
    subject: models.Model,
    version: str,
    requested_by: Any,
    note: str = "",
    permission: str = "core.request_decision",
) -> Decision:
    """Open a decision on one version of a subject. Only one request per subject can be pending.

    `permission` lets a kind name who may ask: by default the officers, but e.g. a risk's owner may put their
    own risk up for the committee's acceptance. Who may *decide* never changes (four eyes, decide()).
    """
    if not requested_by.has_perm(permission):
        raise NotAllowed("You may not request governance decisions.")
    decision = Decision(
        kind=kind,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        subject_version=version,
        subject_label=str(subject)[:255],
        requested_by=requested_by,
        request_note=note,
    )
    decision.full_clean(exclude=["subject_type"])
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError:
        raise Conflict("A decision on this subject is already pending.") from None
    audit.record(
        AuditKind.APPROVAL_REQUESTED,
        actor=requested_by,
        subject=decision,
        summary=f"Asked for {decision.get_kind_display().lower()}: {decision.subject_label} ({version})",
    )
    return decision


@transaction.atomic
def decide(*, decision: Decision, user: Any, approve: bool, rationale: str = "") -> Decision:
    """Approve or reject a pending decision as someone other than its requester.

    The status change is a conditional update on `status=pending`, so two deciders racing each other cannot
    both succeed: the loser gets a Conflict.
    """
    if not user.has_perm("core.decide_decision"):
        raise NotAllowed("You may not approve or reject governance decisions.")
    if decision.requested_by_id == user.pk:
        raise FourEyesViolation("Four eyes: you requested this decision, so someone else must decide it.")
    if not approve and not rationale.strip():
        raise ServiceError("A rejection needs a rationale.", fields={"rationale": ["This field is required."]})
    now = timezone.now()
    status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
    updated = Decision.objects.filter(pk=decision.pk, status=DecisionStatus.PENDING).update(
        status=status, decided_by=user, decided_at=now, rationale=rationale
    )
    if not updated:
        raise Conflict("This decision has already been made or withdrawn.")
    decision.refresh_from_db()
    audit.record(
        AuditKind.DECISION,
        actor=user,
        subject=decision,
        summary=f"{status.label}: {decision.get_kind_display().lower()} of {decision.subject_label}",
        details={"version": decision.subject_version, "requested_by": decision.requested_by.get_username()},
    )
    handler = _AFTER_DECISION.get(decision.kind)
    if handler is not None:
        handler(decision)
    return decision


@transaction.atomic
def withdraw(*, decision: Decision, user: Any) -> Decision:
    """The requester (or another requester) withdraws a pending request."""
    if not user.has_perm("core.request_decision"):
        raise NotAllowed("You may not withdraw governance decisions.")
    updated = Decision.objects.filter(pk=decision.pk, status=DecisionStatus.PENDING).update(
        status=DecisionStatus.WITHDRAWN, decided_at=timezone.now()
    )
    if not updated:
        raise Conflict("Only a pending decision can be withdrawn.")
    decision.refresh_from_db()
    audit.record(AuditKind.DECISION, actor=user, subject=decision, summary=f"Withdrew: {decision.subject_label}")
    return decision
