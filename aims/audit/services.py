"""Writing to the audit trail. One function, called by the services that do the audited thing."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a trusted proxy rewrote it.
    return request.META.get("REMOTE_ADDR") or None


def record(
    kind: AuditKind,
    *,
    summary: str,
    actor: Any = None,
    actor_label: str = "",
    subject: models.Model | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = actor_label or (actor.get_username() if actor is not None else "")
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        actor_label=label[:150],
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        summary=summary[:300],
        ip_address=client_ip(request),
        details=details or {},
    )
