"""Reads of governance records, scoped by user."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from aims.core.history import history_rows
from aims.governance.choices import ConcernConfidentiality
from aims.governance.models import AimsScope, ConcernChannel, OrganisationProfile, Reminder


def organisation_profile(user: Any) -> OrganisationProfile | None:
    return OrganisationProfile.objects.restrict(user, "view").first()


def profile_history(profile: OrganisationProfile) -> list[dict[str, Any]]:
    """Each change with who, when, why and a field-by-field diff against the version before."""
    return history_rows(profile)


def records_for(model: type[models.Model], user: Any, action: str = "view") -> QuerySet:
    return model.objects.restrict(user, action)  # type: ignore[attr-defined]


def aims_scope(user: Any) -> AimsScope | None:
    return (
        AimsScope.objects.restrict(user, "view").prefetch_related("systems_in_scope", "systems_out_of_scope").first()
    )


def concern_channel() -> ConcernChannel:
    return ConcernChannel.current()


def history_of(obj: models.Model) -> list[dict[str, Any]]:
    """Each change with who, when, why, and a field-by-field diff against the version before (newest first)."""
    return history_rows(obj)


def concern_reporter_visible(concern: Any, user: Any) -> bool:
    return concern.confidentiality == ConcernConfidentiality.NAMED or user.has_perm("governance.view_concern_reporter")


def my_work(user: Any) -> QuerySet[Reminder]:
    # Everyone has their own work, role or not: no model permission is needed to see one's own reminders.
    if not user.is_authenticated:
        return Reminder.objects.none()
    return Reminder.objects.filter(user=user, done=False).order_by("due_on")


def today() -> Any:
    return timezone.localdate()


def responsibility_matrix(user: Any) -> dict[str, Any]:
    """The RACI matrix (A.3.2): one row per activity (and AI system), one column per person, letters in cells."""
    from aims.governance.models import ResponsibilityAssignment

    cells = ResponsibilityAssignment.objects.restrict(user, "view").select_related("person", "ai_system")
    people = sorted({c.person for c in cells}, key=lambda p: p.username)
    rows: dict[tuple[str, str], dict[int, str]] = {}
    for cell in cells:
        key = (cell.activity, str(cell.ai_system) if cell.ai_system_id else "")
        rows.setdefault(key, {})[cell.person_id] = cell.responsibility
    return {
        "people": people,
        "rows": [
            {"activity": activity, "system": system, "letters": [letters.get(p.pk, "") for p in people]}
            for (activity, system), letters in sorted(rows.items())
        ],
    }
