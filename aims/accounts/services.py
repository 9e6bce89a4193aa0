"""Writes for accounts: personal API tokens and the end of expired access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from aims.accounts.models import ApiToken, User, hash_token
from aims.core.exceptions import Conflict, ServiceError


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
