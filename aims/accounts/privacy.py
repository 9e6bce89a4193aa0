"""A person's data: exported on request, and erased without breaking any record of the management system.

Erasure anonymises the account row and keeps its id. Decisions, history rows, report runs and audit rows that
point to the account keep resolving, now to the pseudonym "erased-<id>", so every signed checkpoint, hash
chain and four-eyes record stays verifiable (evidence events never name portal users at all: their actors are
gateway pseudonyms). What the audit trail wrote at the time (the username in `actor_label`) is append-only and
kept for its retention period as the record of who did what (docs/privacy.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from aims.accounts import two_factor
from aims.accounts.models import ApiToken, User, UserSession, erased_username
from aims.accounts.services import actor_kwargs, end_all_sessions
from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from aims.core.exceptions import Conflict, NotAllowed, ServiceError
from aims.core.models import Decision

FORMAT = "aims-personal-data/1"
# Covered in their own sections of the export, not as bare counts.
_SECTIONED = {AuditEvent, ApiToken, UserSession, Decision, TOTPDevice, StaticDevice}


def find_user(identifier: str) -> User:
    """A user by username, or by id (an erased account is found by its id or its pseudonym)."""
    identifier = identifier.strip()
    user = User.objects.filter(username=identifier).first()
    if user is None and identifier.isdigit():
        user = User.objects.filter(pk=int(identifier)).first()
    if user is None:
        raise ServiceError(f"No account {identifier!r}.", fields={"username": ["No such account."]})
    return user


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _audit_rows(user: User, usernames: set[str]) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        Q(actor_id=user.pk) | Q(actor_label__in=usernames) | Q(subject_type="accounts.user", subject_id=str(user.pk))
    ).order_by("at", "id")


def _references(user: User) -> dict[str, int]:
    """How many records of each kind name the person (owner, requester, history author, ...), so the export
    says where else they appear even where the record itself is the organisation's, not theirs."""
    counts: dict[str, int] = {}
    for model in apps.get_models():
        if model in _SECTIONED:
            continue
        for field in model._meta.get_fields():
            if field.concrete and field.is_relation and field.many_to_one and field.related_model is User:
                count = model._default_manager.filter(**{field.name: user.pk}).count()
                if count:
                    counts[f"{model._meta.label_lower}.{field.name}"] = count
    return dict(sorted(counts.items()))


def export_personal_data(*, user: User, by: Any, request: HttpRequest | None = None) -> dict[str, Any]:
    """Everything the portal holds about a person, as JSON-ready data. The export itself is audited."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "id": user.pk,
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "sso_subject": user.sso_subject,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "access_expires_on": user.access_expires_on.isoformat() if user.access_expires_on else None,
        },
        "roles": user.role_names,
        "api_tokens": [
            {
                "name": t.name,
                "prefix": t.prefix,
                "created_at": _iso(t.created_at),
                "expires_at": _iso(t.expires_at),
                "revoked_at": _iso(t.revoked_at),
                "last_used_at": _iso(t.last_used_at),
            }
            for t in ApiToken.objects.filter(user=user).order_by("created_at", "id")
        ],
        "two_factor": {
            "enabled": two_factor.is_enabled(user),
            "recovery_codes_left": two_factor.recovery_codes_left(user),
        },
        "sessions": [
            {
                "created_at": _iso(s.created_at),
                "last_seen_at": _iso(s.last_seen_at),
                "ended_at": _iso(s.ended_at),
                "end_reason": s.end_reason,
                "network": s.network,
                "user_agent": s.user_agent,
            }
            for s in UserSession.objects.filter(user=user).order_by("created_at", "id")
        ],
        "audit_events": [
            {
                "at": _iso(e.at),
                "kind": e.kind,
                "as": "actor" if e.actor_id == user.pk or e.actor_label == user.username else "subject",
                "summary": e.summary,
                "subject_type": e.subject_type,
                "subject_id": e.subject_id,
                "ip_address": e.ip_address,
                "details": e.details,
            }
            for e in _audit_rows(user, {user.username}).iterator(chunk_size=1000)
        ],
        "decisions": [
            {
                "id": d.pk,
                "kind": d.kind,
                "subject": d.subject_label,
                "subject_version": d.subject_version,
                "status": d.status,
                "as": [
                    role
                    for role, uid in (("requester", d.requested_by_id), ("decider", d.decided_by_id))
                    if uid == user.pk
                ],
                "requested_at": _iso(d.requested_at),
                "request_note": d.request_note if d.requested_by_id == user.pk else "",
                "decided_at": _iso(d.decided_at),
                "rationale": d.rationale if d.decided_by_id == user.pk else "",
            }
            for d in Decision.objects.filter(Q(requested_by=user) | Q(decided_by=user)).order_by("requested_at", "id")
        ],
        "records_naming_this_person": _references(user),
    }
    audit.record(
        AuditKind.DOWNLOAD,
        **actor_kwargs(by),
        request=request,
        subject=user,
        summary=f"Personal data of account #{user.pk} exported",
        details={"action": "personal_data_exported"},
    )
    return data


@transaction.atomic
def erase_personal_data(*, user: User, by: Any, request: HttpRequest | None = None) -> User:
    """Anonymise an account and end everything it could still do: the row stays (same id) as "erased-<id>",
    names and e-mail blanked, unlinked from single sign-on, password unusable, deactivated, roles removed, tokens
    revoked, sessions ended, two-factor devices and session records deleted, login lockout counters for its name
    dropped."""
    from axes.models import AccessAttempt

    if user.is_erased:
        raise Conflict(f"Account #{user.pk} is already erased.")
    if not isinstance(by, str) and getattr(by, "pk", None) == user.pk:
        raise NotAllowed("You cannot erase your own account; ask another administrator.")
    old_username = user.username
    now = timezone.now()
    sessions_ended = end_all_sessions(user=user, reason="account erased")
    tokens_revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    UserSession.objects.filter(user=user).delete()
    AccessAttempt.objects.filter(username=old_username).delete()

    user.username = erased_username(user.pk)
    user.first_name = user.last_name = user.email = ""
    # Unlinked from the identity provider: a later single sign-on makes a new account instead of refilling this one.
    user.sso_subject = None
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.save()
    # After the rename, so the role-change rows the audit app writes name the pseudonym, not the person.
    user.groups.clear()
    user.user_permissions.clear()
    audit.record(
        AuditKind.CONFIG_CHANGE,
        **actor_kwargs(by),
        request=request,
        subject=user,
        summary=f"Personal data of account #{user.pk} erased; it now reads {user.username}",
        details={
            "action": "personal_data_erased",
            "user_id": user.pk,
            "tokens_revoked": tokens_revoked,
            "sessions_ended": sessions_ended,
        },
    )
    return user
