"""Django's own events that the audit trail must see: authentication and role membership."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed
from simple_history.models import HistoricalRecords

from aims.audit import services
from aims.audit.choices import AuditKind


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.record(AuditKind.LOGIN, actor=user, request=request, summary="Logged in")


def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        services.record(AuditKind.LOGOUT, actor=user, request=request, summary="Logged out")


def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    # Django already hides the password in credentials; only the name tried is kept.
    username = str(credentials.get("username", ""))[:150]
    services.record(
        AuditKind.LOGIN_FAILED, actor_label=username, request=request, summary=f"Failed login as {username!r}"
    )


def _groups_changed(sender: Any, instance: Any, action: str, pk_set: Any, model: Any, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    request = getattr(HistoricalRecords.context, "request", None)
    actor = getattr(request, "user", None)
    if isinstance(instance, get_user_model()):
        names = sorted(model.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
        verb = {"post_add": "added to", "post_remove": "removed from", "post_clear": "removed from all"}[action]
        summary = f"{instance.get_username()} {verb} {', '.join(names) or 'roles'}"
        subject = instance
    else:  # a group whose members changed from the group's side
        summary = f"Members of {instance} changed ({action.removeprefix('post_')})"
        subject = instance
    services.record(AuditKind.ROLE_CHANGE, actor=actor, request=request, subject=subject, summary=summary)


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit.login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.login_failed")
    m2m_changed.connect(_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit.groups")
