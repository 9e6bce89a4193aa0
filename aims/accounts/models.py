"""People who use the portal and their personal API tokens."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from aims.core.querysets import RestrictedQuerySet
from aims.core.tokens import generate_key, hash_token

__all__ = ["TOKEN_PREFIX", "ApiToken", "User", "hash_token"]

TOKEN_PREFIX = "aims_pat_"  # noqa: S105  a public marker of the token kind, not a secret


class User(AbstractUser):
    """A person with a role in the AI management system (ISO/IEC 42001 5.3 roles, A.3.2 responsibilities).

    Auditors get time-boxed access: after `access_expires_on` the account can neither log in nor use the API,
    and its permissions are empty (see backends.AccessExpiryModelBackend).
    """

    access_expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="Last day of access. Afterwards the account can neither log in nor use the API.",
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def access_expired(self, today: date | None = None) -> bool:
        if self.access_expires_on is None:
            return False
        return (today or timezone.localdate()) > self.access_expires_on

    @property
    def role_names(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))


class ApiTokenQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        # Everyone sees and revokes only their own tokens; administrators see all.
        if user.is_superuser:
            return self
        return self.filter(user=user)

    def active(self, now: datetime | None = None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token: `Authorization: Token <key>`. Only its SHA-256 is stored; it can expire and be
    revoked. Evidence-source tokens are a separate kind (evidence app) with the same hashing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, help_text="The first characters of the key, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate_key() -> str:
        return generate_key(TOKEN_PREFIX)

    def is_active(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
