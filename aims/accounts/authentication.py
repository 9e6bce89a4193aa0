"""`Authorization: Token <key>` for personal API tokens, looked up by their hash."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import authentication, exceptions

from aims.accounts.models import ApiToken, hash_token
from aims.audit import services as audit
from aims.audit.choices import AuditKind

# Recording every use would turn every read into a write: last_used_at moves at most every few minutes (enough
# to spot stale tokens), and the audit trail records a token's use at most once an hour.
LAST_USED_RESOLUTION = timedelta(minutes=5)
AUDIT_RESOLUTION = timedelta(hours=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token header.") from None
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()
        now = timezone.now()
        if token is None or not token.is_active(now):
            raise exceptions.AuthenticationFailed("Invalid, expired or revoked token.")
        user = token.user
        if not user.is_active or user.access_expired():
            raise exceptions.AuthenticationFailed("This account's access has ended.")
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        if token.use_recorded_at is None or now - token.use_recorded_at > AUDIT_RESOLUTION:
            # A conditional update claims the hour's row, so concurrent requests record it once.
            claimed = ApiToken.objects.filter(pk=token.pk, use_recorded_at=token.use_recorded_at).update(
                use_recorded_at=now
            )
            if claimed:
                audit.record(
                    AuditKind.TOKEN_USED,
                    actor=user,
                    request=request,
                    subject=token,
                    summary=f"API token {token.prefix}… used",
                )
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword
