"""Reads of governance records, scoped by user."""

from __future__ import annotations

from typing import Any

from aims.governance.models import OrganisationProfile


def organisation_profile(user: Any) -> OrganisationProfile | None:
    return OrganisationProfile.objects.restrict(user, "view").first()


def profile_history(profile: OrganisationProfile) -> list[dict[str, Any]]:
    """Each change with who, when, why and a field-by-field diff against the version before."""
    records = list(profile.history.select_related("history_user").order_by("-history_id"))
    rows = []
    for record in records:
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            changes = [{"field": c.field, "old": c.old, "new": c.new} for c in delta.changes]
        rows.append({"record": record, "changes": changes})
    return rows
