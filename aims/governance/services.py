"""Writes for governance records. Each sets the history user and reason, so the change log says who and why."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from aims.core import services as core_services
from aims.core.choices import DecisionKind
from aims.core.exceptions import NotAllowed, ServiceError
from aims.core.models import Decision
from aims.governance.models import OrganisationProfile

PROFILE_FIELDS = ("name", "legal_name", "sector", "country", "purpose", "aims_contact_email")


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
