"""Reads of the audit trail, scoped by user."""

from typing import Any

from django.db.models import QuerySet

from aims.audit.models import AuditEvent


def audit_events_for(user: Any) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.restrict(user, "view")
