"""django-axes' lockout signal: the moment an address or account gets locked is recorded in the audit trail.

Each failed attempt is already recorded by the audit app's failed-login receiver; this adds one row when the
limit is reached, so a lockout stands out from ordinary typos.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from aims.audit import services as audit
from aims.audit.choices import AuditKind


def _locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    failures = getattr(request, "axes_failures_since_start", None)
    # Axes sends the signal on every attempt past the limit; only the one that reaches it is new.
    if failures is not None and failures != settings.AXES_FAILURE_LIMIT:
        return
    name = str(username or "")[:150]
    audit.record(
        AuditKind.LOGIN_FAILED,
        actor_label=name,
        request=request,
        summary=f"Login locked after {settings.AXES_FAILURE_LIMIT} failures (account {name!r}, address {ip_address})",
        details={"action": "locked_out", "username": name, "ip_address": ip_address or ""},
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(_locked_out, dispatch_uid="accounts.locked_out")
