"""Writes for accounts: personal API tokens, the sessions a person can see and end, login lockouts, and the
end of expired access. Two-factor authentication is in two_factor.py, export and erasure in privacy.py."""

from __future__ import annotations

import hashlib
import ipaddress
from datetime import timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from aims.accounts.models import ApiToken, User, UserSession, hash_token
from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.exceptions import Conflict, ServiceError

# last_seen_at is written at most this often per session: a read must not become a write on every request.
SEEN_RESOLUTION = timedelta(minutes=5)


@transaction.atomic
def create_api_token(*, user: User, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """Make a token and return it with its key. The key is shown once: only its hash is kept."""
    if user.access_expired() or not user.is_active:
        raise ServiceError("This account's access has ended.")
    if days is not None and not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ServiceError(
            f"A token lasts between 1 and {settings.API_TOKEN_MAX_DAYS} days.",
            fields={"days": [f"Enter a number from 1 to {settings.API_TOKEN_MAX_DAYS}."]},
        )
    key = ApiToken.generate_key()
    expires_at = timezone.now() + timedelta(days=days) if days else None
    if user.access_expires_on is not None:
        # A token never outlives the account's access.
        end = timezone.make_aware(
            timezone.datetime.combine(user.access_expires_on + timedelta(days=1), timezone.datetime.min.time())
        )
        expires_at = min(expires_at, end) if expires_at else end
    token = ApiToken(user=user, name=name, prefix=key[:13], key_hash=hash_token(key), expires_at=expires_at)
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: Any) -> ApiToken:
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise Conflict("This token is already revoked.")
    token.refresh_from_db()
    return token


def end_expired_access(*, today: Any = None) -> int:
    """Delete the sessions of accounts whose access has ended. Returns how many sessions were ended.

    The middleware already refuses such a session at its next request; this makes the end visible at once
    and cleans up sessions that will never come back.
    """
    today = today or timezone.localdate()
    expired_ids = {str(pk) for pk in User.objects.filter(access_expires_on__lt=today).values_list("pk", flat=True)}
    if not expired_ids:
        return 0
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") in expired_ids:
            session.delete()
            ended += 1
    return ended


def actor_kwargs(by: Any) -> dict[str, Any]:
    """Who did it, for the audit trail: a user, or a label such as "manage.py" for an operator's command."""
    return {"actor_label": by} if isinstance(by, str) else {"actor": by}


# --- Sessions -------------------------------------------------------------------------------------------


def session_key_hash(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def network_of(address: str | None) -> str:
    """An address truncated to its network (IPv4 /24, IPv6 /48): enough to recognise "my office" on the
    sessions page, not enough to single out a device (docs/privacy.md)."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def track_session(*, request: HttpRequest) -> UserSession | None:
    """The record of the request's logged-in session: made at its first request, its last-seen time refreshed
    at SEEN_RESOLUTION. Returns None when the request has no stored session."""
    key = request.session.session_key
    if not key:
        return None
    now = timezone.now()
    record, created = UserSession.objects.get_or_create(
        key_hash=session_key_hash(key),
        defaults={
            "user": request.user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
            "network": network_of(audit.client_ip(request)),
            "created_at": now,
            "last_seen_at": now,
        },
    )
    if not created and record.ended_at is None and now - record.last_seen_at > SEEN_RESOLUTION:
        UserSession.objects.filter(pk=record.pk, ended_at__isnull=True).update(last_seen_at=now)
        record.last_seen_at = now
    return record


def _delete_django_sessions(key_hashes: set[str], user_id: int | None = None) -> int:
    """Delete the stored Django sessions whose key hashes to one of `key_hashes`, or (with user_id) every
    session of that account. Only the hash is kept on our side, so the session table is scanned; it holds
    live sessions only (clearsessions runs nightly). A cache-only engine has no table: the middleware then
    refuses an ended session at its next request instead."""
    if settings.SESSION_ENGINE not in {
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    }:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    deleted = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        match = session_key_hash(session.session_key) in key_hashes
        if not match and user_id is not None:
            match = session.get_decoded().get("_auth_user_id") == str(user_id)
        if match:
            store(session.session_key).delete()
            deleted += 1
    return deleted


@transaction.atomic
def end_session(*, record: UserSession, by: Any, reason: str, request: HttpRequest | None = None) -> None:
    """End one session: its browser is logged out at its next request."""
    updated = UserSession.objects.filter(pk=record.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason[:100]
    )
    if not updated:
        raise Conflict("This session has already ended.")
    _delete_django_sessions({record.key_hash})
    audit.record(
        AuditKind.LOGOUT,
        **actor_kwargs(by),
        request=request,
        subject=record,
        summary=f"Session of {record.user.get_username()} ended ({reason})"[:300],
        details={"action": "session_ended", "user_id": record.user_id, "reason": reason},
    )


@transaction.atomic
def end_other_sessions(*, user: User, current_key: str | None, by: Any, request: HttpRequest | None = None) -> int:
    """End every open session of `user` except the one making the request. Returns how many were ended."""
    keep = session_key_hash(current_key) if current_key else None
    records = list(UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(key_hash=keep or ""))
    if not records:
        return 0
    UserSession.objects.filter(pk__in=[r.pk for r in records]).update(
        ended_at=timezone.now(), end_reason="ended from another session"
    )
    _delete_django_sessions({r.key_hash for r in records})
    audit.record(
        AuditKind.LOGOUT,
        **actor_kwargs(by),
        request=request,
        subject=user,
        summary=f"{len(records)} other session(s) of {user.get_username()} ended",
        details={"action": "sessions_ended", "count": len(records)},
    )
    return len(records)


def end_all_sessions(*, user: User, reason: str) -> int:
    """End every session of an account, including any that predate session records (used by erasure and by
    deactivation). Returns how many stored Django sessions were deleted. The caller audits."""
    UserSession.objects.filter(user=user, ended_at__isnull=True).update(ended_at=timezone.now(), end_reason=reason)
    hashes = set(UserSession.objects.filter(user=user).values_list("key_hash", flat=True))
    return _delete_django_sessions(hashes, user_id=user.pk)


def mark_logged_out(*, request: HttpRequest) -> None:
    """The session's record ends with the logout (the logout itself is audited by the audit app)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(key_hash=session_key_hash(key), ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason="logged out"
        )


def purge_session_records(*, now: Any = None) -> int:
    """Delete session records ended, or last seen, more than AIMS_SESSION_RECORD_DAYS ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.AIMS_SESSION_RECORD_DAYS)
    stale_open = (
        now - timedelta(seconds=settings.SESSION_COOKIE_AGE) - timedelta(days=settings.AIMS_SESSION_RECORD_DAYS)
    )
    deleted, _ = UserSession.objects.filter(ended_at__lt=cutoff).delete()
    expired, _ = UserSession.objects.filter(ended_at__isnull=True, last_seen_at__lt=stale_open).delete()
    return deleted + expired


# --- Login lockouts (django-axes) -----------------------------------------------------------------------


@transaction.atomic
def unlock(*, username: str | None = None, ip_address: str | None = None, by: Any, request: Any = None) -> int:
    """Lift a login lockout of an account, of an address, or both. Returns how many attempt records went."""
    from axes.models import AccessAttempt

    if not username and not ip_address:
        raise ServiceError("Name an account or an address to unlock.")
    attempts = AccessAttempt.objects.all()
    if username:
        attempts = attempts.filter(username=username)
    if ip_address:
        attempts = attempts.filter(ip_address=ip_address)
    count, _ = attempts.delete()
    target = " and ".join(
        part for part in (username and f"account {username!r}", ip_address and f"address {ip_address}") if part
    )
    audit.record(
        AuditKind.CONFIG_CHANGE,
        **actor_kwargs(by),
        request=request,
        summary=f"Login lockout lifted for {target}"[:300],
        details={
            "action": "lockout_lifted",
            "username": username or "",
            "ip_address": ip_address or "",
            "attempts": count,
        },
    )
    return count
