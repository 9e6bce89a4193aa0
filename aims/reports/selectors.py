"""Reads of the reports app, scoped by the user who asks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aims.reports.models import ReportRun


def runs_for(user: Any) -> QuerySet[ReportRun]:
    """Runs this person may see: every run for officers, the committee and auditors; their own otherwise."""
    return ReportRun.objects.restrict(user, "view").select_related("requested_by")
