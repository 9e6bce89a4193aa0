"""People who use the portal and their personal API tokens."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.utils import timezone

from aims.core.querysets import RestrictedQuerySet
from aims.core.tokens import generate_key, hash_token

__all__ = ["TOKEN_PREFIX", "ApiToken", "RoleSecurityPolicy", "User", "UserSession", "hash_token"]

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

    sso_subject = models.CharField(
        max_length=255,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text="The identity provider's subject, for accounts made by single sign-on.",
    )

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"
        permissions = [("manage_personal_data", "Can export and erase a person's data")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def access_expired(self, today: date | None = None) -> bool:
        if self.access_expires_on is None:
            return False
        return (today or timezone.localdate()) > self.access_expires_on

    @property
    def role_names(self) -> list[str]:
        return sorted(self.groups.values_list("name", flat=True))

    @property
    def is_erased(self) -> bool:
        return self.username == erased_username(self.pk)


def erased_username(pk: int) -> str:
    """The pseudonym an erased account keeps, so records that name it still resolve (docs/privacy.md)."""
    return f"erased-{pk}"


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
    use_recorded_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the audit trail last recorded this token's use."
    )

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


class UserSessionQuerySet(RestrictedQuerySet):
    def scope(self, user, action):
        # Administrators (view_usersession) see everyone's in the admin; people see their own via selectors.
        return self if user.is_superuser or user.has_perm("accounts.view_usersession") else self.filter(user=user)

    def open(self, now: datetime | None = None) -> UserSessionQuerySet:
        """Sessions not ended and seen within the session lifetime (older ones have expired on their own)."""
        now = now or timezone.now()
        return self.filter(
            ended_at__isnull=True, last_seen_at__gt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE)
        )


class UserSession(models.Model):
    """A logged-in browser session, so a person can see where they are logged in and end a session they do not
    recognise (ISO/IEC 42001 A.4.2 resources, A.6.2.8 event logs; ISO/IEC 27001 A.8.5 secure authentication).

    Keyed by the SHA-256 of Django's session key, never the key itself; the address is truncated to a network
    (IPv4 /24, IPv6 /48) because the page only needs to say roughly where, not who (docs/privacy.md).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    user_agent = models.CharField(max_length=200, blank=True)
    network = models.CharField(max_length=64, blank=True, help_text="The address truncated to its network.")
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=100, blank=True)

    objects = UserSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [
            # The sessions page lists one person's open sessions; the purge finds ended ones by age.
            models.Index(fields=["user", "ended_at"], name="usersession_user_idx"),
            models.Index(fields=["last_seen_at"], name="usersession_seen_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M} ({self.network or 'unknown network'})"


class RoleSecurityPolicy(models.Model):
    """What a role requires of the people holding it: an administrator can require two-factor authentication
    per role (ISO/IEC 42001 A.3.2 roles and responsibilities; ISO/IEC 27001 A.8.5). AIMS_2FA_REQUIRED_ROLES
    adds roles from the deployment's configuration."""

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="security_policy")
    two_factor_required = models.BooleanField(
        default=False, help_text="Holders of this role must enrol a two-factor device before anything else."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group__name"]
        verbose_name = "role security policy"
        verbose_name_plural = "role security policies"

    def __str__(self) -> str:
        return f"{self.group.name}: two-factor {'required' if self.two_factor_required else 'optional'}"
