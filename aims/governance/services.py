"""Writes for governance records. Each checks who may do it, validates with `full_clean()`, and sets the
history user and reason, so the History tab says who changed what, when and why.

Generic create/update cover the plain records; the operations of the management system (approve a document
version, triage a concern, close a nonconformity, assemble and close a management review) are named functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.core.cache import cache
from django.db import models, transaction
from django.utils import timezone

from aims.core import services as core_services
from aims.core.choices import DecisionKind
from aims.core.exceptions import Conflict, NotAllowed, ServiceError
from aims.core.models import Decision
from aims.governance.choices import (
    ActionStatus,
    ConcernConfidentiality,
    ConcernStatus,
    DocumentVersionStatus,
    FindingGrade,
    NonconformitySource,
    NonconformityStatus,
    ReviewStatus,
)
from aims.governance.models import (
    AuditFinding,
    Concern,
    ConcernChannel,
    CorrectiveAction,
    Document,
    DocumentVersion,
    Incident,
    Kpi,
    KpiMeasurement,
    ManagementReview,
    Nonconformity,
    OrganisationProfile,
    ReviewAction,
)
from aims.governance.models.audits import EDIT_ALL_ACTIONS

AUTO_USER_FIELDS = ("recorded_by", "created_by")
OWNER_ACTION_FIELDS = {"status", "completed_on"}
PROFILE_FIELDS = ("name", "legal_name", "sector", "country", "purpose", "aims_contact_email")


# --- helpers ----------------------------------------------------------------------------------------------


def _perm(model: type[models.Model], verb: str) -> str:
    return f"{model._meta.app_label}.{verb}_{model._meta.model_name}"


def require_perms(user: Any, *perms: str, message: str = "You may not do this.") -> None:
    if not (user and user.is_authenticated and user.has_perms(perms)):
        raise NotAllowed(message)


def _save(obj: models.Model, *, user: Any, reason: str) -> None:
    obj.full_clean()
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = (reason or "")[:100]  # type: ignore[attr-defined]
    obj.save()


def _set_many(obj: models.Model, many: dict[str, Iterable[Any]]) -> None:
    for name, values in many.items():
        getattr(obj, name).set(list(values))


def _split(model: type[models.Model], fields: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    m2m = {f.name for f in model._meta.many_to_many}
    plain = {k: v for k, v in fields.items() if k not in m2m}
    many = {k: v for k, v in fields.items() if k in m2m}
    known = {f.name for f in model._meta.get_fields()}
    unknown = set(fields) - known
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    return plain, many


@transaction.atomic
def create_record(*, model: type[models.Model], user: Any, reason: str = "", **fields: Any) -> Any:
    """Create a plain governed record (the user needs `add_` on the model)."""
    require_perms(user, _perm(model, "add"), message=f"You may not add {model._meta.verbose_name_plural}.")
    plain, many = _split(model, fields)
    for auto in AUTO_USER_FIELDS:  # who recorded it is the user writing, never a choice
        if auto in {f.name for f in model._meta.fields}:
            plain[auto] = user
    obj = model(**plain)
    if many:
        # Many-to-many values are validated after the first save; the history row of that save keeps them too.
        _save(obj, user=user, reason=reason or "Created")
        _set_many(obj, many)
        obj._history_user = user  # type: ignore[attr-defined]
        obj._change_reason = reason or "Created"  # type: ignore[attr-defined]
        obj.save()
    else:
        _save(obj, user=user, reason=reason or "Created")
    return obj


@transaction.atomic
def update_record(*, obj: models.Model, user: Any, reason: str = "", **fields: Any) -> Any:
    """Change a plain governed record; only the fields given change (the user needs `change_`)."""
    model = type(obj)
    require_perms(user, _perm(model, "change"), message=f"You may not change {model._meta.verbose_name_plural}.")
    if not model._default_manager.restrict(user, "change").filter(pk=obj.pk).exists():  # type: ignore[attr-defined]
        raise NotAllowed(f"You may not change this {model._meta.verbose_name}.")
    guard = GUARDS.get(model)
    if guard is not None:
        guard(obj)
    plain, many = _split(model, fields)
    if model in (CorrectiveAction, ReviewAction) and not user.has_perm(EDIT_ALL_ACTIONS):
        # An owner reports progress on their action; what it is, whose it is and when it is due are the officer's.
        changed = {name for name, value in plain.items() if getattr(obj, name) != value} | set(many)
        if changed - OWNER_ACTION_FIELDS:
            raise NotAllowed("You may change only the status and completion date of your action.")
    for name, value in plain.items():
        setattr(obj, name, value)
    _save(obj, user=user, reason=reason or "Changed")
    if many:
        _set_many(obj, many)
        obj._history_user = user  # type: ignore[attr-defined]
        obj._change_reason = reason or "Changed"  # type: ignore[attr-defined]
        obj.save()
    return obj


def _version_guard(version: DocumentVersion) -> None:
    if version.status != DocumentVersionStatus.DRAFT:
        raise Conflict("An approved or pending version is read-only: write a new version instead.")


def _review_guard(review: ManagementReview) -> None:
    if review.status == ReviewStatus.CLOSED:
        raise Conflict("A closed management review is read-only.")


def _nonconformity_guard(nc: Nonconformity) -> None:
    if nc.status == NonconformityStatus.CLOSED:
        raise Conflict("A closed nonconformity is read-only.")


GUARDS: dict[type[models.Model], Any] = {
    DocumentVersion: _version_guard,
    ManagementReview: _review_guard,
    Nonconformity: _nonconformity_guard,
}


# --- organisation profile --------------------------------------------------------------------------------------------


@transaction.atomic
def update_organisation_profile(*, user: Any, reason: str = "", **fields: Any) -> OrganisationProfile:
    """Create or change the organisation profile; only the fields given are changed."""
    if not user.has_perm("governance.change_organisationprofile"):
        raise NotAllowed("You may not change the organisation profile.")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    profile = OrganisationProfile.objects.select_for_update().first() or OrganisationProfile()
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile._history_user = user
    profile._change_reason = reason or "Profile updated"
    profile.save()
    return profile


def request_profile_approval(*, profile: OrganisationProfile, user: Any, note: str = "") -> Decision:
    return core_services.request_decision(
        kind=DecisionKind.ORGANISATION_PROFILE,
        subject=profile,
        version=profile.version,
        requested_by=user,
        note=note,
    )


# --- documents ----------------------------------------------------------------------------------------------


@transaction.atomic
def add_document_version(
    *, document: Document, user: Any, body: str, change_summary: str = "", attachment: Any = None
) -> DocumentVersion:
    """Write the next version of a document. Only one draft at a time, so reviewers know which one is meant."""
    require_perms(user, "governance.add_documentversion", message="You may not write document versions.")
    Document.objects.select_for_update().filter(pk=document.pk).first()
    latest = document.latest_version
    if latest is not None and latest.status != DocumentVersionStatus.APPROVED:
        raise Conflict(f"Version {latest.number} is still {latest.get_status_display().lower()}: edit it instead.")
    version = DocumentVersion(
        document=document,
        number=(latest.number + 1) if latest else 1,
        body=body,
        change_summary=change_summary,
        created_by=user,
    )
    if attachment is not None:
        version.attachment = attachment
    _save(version, user=user, reason=change_summary or f"Version {version.number}")
    return version


def request_document_approval(*, version: DocumentVersion, user: Any, note: str = "") -> Decision:
    """Ask a committee member to approve this version (four eyes: not the requester)."""
    if version.status == DocumentVersionStatus.APPROVED:
        raise Conflict("This version is already approved.")
    return core_services.request_decision(
        kind=DecisionKind.DOCUMENT_APPROVAL,
        subject=version,
        version=version.version_label,
        requested_by=user,
        note=note,
    )


@transaction.atomic
def mark_document_reviewed(*, document: Document, user: Any, today: date | None = None) -> Document:
    """The owner (or an officer) reviewed the document: the next review falls one interval later."""
    today = today or timezone.localdate()
    if user.pk != document.owner_id:
        require_perms(user, "governance.change_document", message="Only the owner or an officer may do this.")
    document.next_review_on = _add_months(today, document.review_interval_months)
    _save(document, user=user, reason="Reviewed")
    return document


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- objectives ----------------------------------------------------------------------------------------------


@transaction.atomic
def record_kpi_value(*, kpi: Kpi, user: Any, value: Any, measured_on: date, note: str = "") -> KpiMeasurement:
    """Record a measured value: it joins the progress history and becomes the KPI's current value."""
    require_perms(user, "governance.add_kpimeasurement", message="You may not record KPI values.")
    measurement = KpiMeasurement(kpi=kpi, value=value, measured_on=measured_on, note=note, recorded_by=user)
    measurement.full_clean()
    measurement.save()
    latest = kpi.measurements.order_by("-measured_on", "-id").first()
    kpi.current_value = latest.value if latest else value
    kpi._history_user = user  # type: ignore[attr-defined]
    kpi._change_reason = f"Measured {measured_on.isoformat()}"  # type: ignore[attr-defined]
    kpi.save()
    return measurement


# --- concerns ----------------------------------------------------------------------------------------------

PUBLIC_FORM_LIMIT = 5  # per address and hour: enough for a real reporter, too few for a flood
PUBLIC_FORM_WINDOW = 3600


def public_form_allowed(address: str) -> bool:
    """A simple fixed-window rate limit for the unauthenticated form, in the configured cache."""
    key = f"governance:concern-form:{address}"
    cache.add(key, 0, PUBLIC_FORM_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_FORM_WINDOW)
        count = 1
    return count <= PUBLIC_FORM_LIMIT


@transaction.atomic
def raise_concern(
    *,
    user: Any,
    summary: str,
    details: str,
    ai_system: Any = None,
    confidentiality: str = ConcernConfidentiality.CONFIDENTIAL,
    reporter_contact: str = "",
    external: bool = False,
) -> Concern:
    """Raise a concern. Any logged-in person may (A.3.3); the public form, when on, raises one with no user.

    Anonymous concerns store no identity: no reporter, no contact, and no history user.
    """
    authenticated = bool(user is not None and user.is_authenticated)
    if not authenticated and not (external and ConcernChannel.current().public_form_enabled):
        raise NotAllowed("Log in to raise a concern.")
    anonymous = confidentiality == ConcernConfidentiality.ANONYMOUS
    concern = Concern(
        ai_system=ai_system,
        summary=summary,
        details=details,
        confidentiality=confidentiality,
        reporter=user if authenticated and not anonymous else None,
        reporter_contact="" if anonymous else reporter_contact,
        external=external,
    )
    # The history keeps the writer as its user: only a named concern may name the reporter there too.
    named = authenticated and confidentiality == ConcernConfidentiality.NAMED
    _save(concern, user=user if named else None, reason="Concern raised")
    return concern


@transaction.atomic
def triage_concern(
    *, concern: Concern, user: Any, status: str, triage_notes: str = "", create_incident: bool = False, **incident: Any
) -> Concern:
    """Triage a concern: set its status and notes, and optionally open an incident from it."""
    require_perms(user, "governance.change_concern", message="You may not triage concerns.")
    if concern.status == ConcernStatus.CLOSED and status == ConcernStatus.CLOSED:
        raise Conflict("This concern is already closed.")
    concern.status = status
    concern.triage_notes = triage_notes or concern.triage_notes
    if create_incident:
        if concern.incident_id:
            raise Conflict("This concern already has an incident.")
        opened = create_record(
            model=Incident,
            user=user,
            reason=f"Opened from concern {concern.pk}",
            title=incident.get("title") or concern.summary,
            description=incident.get("description") or concern.details,
            severity=incident.get("severity") or "medium",
            aware_at=incident.get("aware_at") or timezone.now(),
            owner=user,
            ai_systems=[concern.ai_system] if concern.ai_system_id else [],
        )
        concern.incident = opened
        concern.status = ConcernStatus.ESCALATED
    _save(concern, user=user, reason=f"Triaged: {concern.get_status_display()}")
    return concern


@transaction.atomic
def set_public_concern_form(*, user: Any, enabled: bool) -> ConcernChannel:
    require_perms(user, "governance.change_concernchannel", message="You may not change the concern channel.")
    channel = ConcernChannel.objects.select_for_update().order_by("id").first() or ConcernChannel()
    channel.public_form_enabled = enabled
    _save(channel, user=user, reason="Public form " + ("on" if enabled else "off"))
    return channel


# --- nonconformities ----------------------------------------------------------------------------------------------


@transaction.atomic
def raise_nonconformity_from_finding(
    *, finding: AuditFinding, user: Any, owner: Any, title: str = ""
) -> Nonconformity:
    if finding.grade not in {FindingGrade.MAJOR, FindingGrade.MINOR}:
        raise ServiceError("Only a major or minor nonconformity finding raises a nonconformity.")
    return create_record(
        model=Nonconformity,
        user=user,
        reason=f"Raised from audit finding {finding.pk}",
        title=title or f"{finding.get_grade_display()}: {finding.description[:150]}",
        description=finding.description,
        source=NonconformitySource.AUDIT,
        finding=finding,
        owner=owner,
        raised_on=timezone.localdate(),
    )


@transaction.atomic
def close_nonconformity(*, nonconformity: Nonconformity, user: Any, effectiveness_review: str) -> Nonconformity:
    """The officer closes a nonconformity once the actions are done and found effective (10.2 d, e)."""
    require_perms(user, "governance.change_nonconformity", message="Only a governance officer closes these.")
    if nonconformity.status == NonconformityStatus.CLOSED:
        raise Conflict("This nonconformity is already closed.")
    if not effectiveness_review.strip():
        raise ServiceError(
            "Record the effectiveness review before closing.",
            fields={"effectiveness_review": ["This field is required."]},
        )
    if not nonconformity.root_cause.strip():
        raise ServiceError("Record the root cause before closing.", fields={"root_cause": ["Required to close."]})
    if nonconformity.actions.filter(status=ActionStatus.OPEN).exists():
        raise Conflict("Some corrective actions are still open.")
    nonconformity.effectiveness_review = effectiveness_review
    nonconformity.status = NonconformityStatus.CLOSED
    nonconformity.closed_by = user
    nonconformity.closed_at = timezone.now()
    _save(nonconformity, user=user, reason="Closed after effectiveness review")
    return nonconformity


# --- management review ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_management_review(*, user: Any, title: str, held_on: date, attendees: str = "") -> ManagementReview:
    """Create a review with its 9.3.2 inputs assembled now; the snapshot is frozen with the review."""
    from aims.governance import review_inputs

    require_perms(user, "governance.add_managementreview", message="You may not create management reviews.")
    now = timezone.now()
    review = ManagementReview(
        title=title,
        held_on=held_on,
        attendees=attendees,
        inputs=review_inputs.assemble(now=now),
        inputs_assembled_at=now,
        created_by=user,
    )
    _save(review, user=user, reason="Created with assembled inputs")
    return review


def request_review_closure(*, review: ManagementReview, user: Any, note: str = "") -> Decision:
    if review.status == ReviewStatus.CLOSED:
        raise Conflict("This review is already closed.")
    if not review.decisions.strip():
        raise ServiceError(
            "Record the review's decisions before asking to close it.",
            fields={"decisions": ["Required to close."]},
        )
    return core_services.request_decision(
        kind=DecisionKind.REVIEW_CLOSURE, subject=review, version=review.version, requested_by=user, note=note
    )


def due_soon(today: date, days: int = 14) -> date:
    return today + timedelta(days=days)
