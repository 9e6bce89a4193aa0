"""Single sign-on with OpenID Connect (mozilla-django-oidc): the identity provider's groups claim sets the roles.

Switched on by AIMS_OIDC_CLIENT_ID. An account made by single sign-on is linked to the provider's subject
(`sso_subject`), never matched by name or e-mail, so a provider account can never take over a local one (such as
an administrator's). Its roles follow AIMS_OIDC_ROLE_MAP at every login: a group removed at the provider removes
the role here at the next login. Administrators keep their local accounts and passwords.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from aims.accounts.models import User


def enabled() -> bool:
    return bool(getattr(settings, "AIMS_OIDC_ENABLED", False))


def roles_from_claims(claims: dict[str, Any]) -> set[str]:
    groups = claims.get(settings.AIMS_OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    mapping: dict[str, str] = settings.AIMS_OIDC_ROLE_MAP
    return {mapping[g] for g in groups if isinstance(g, str) and g in mapping}


class OIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims: dict[str, Any]):  # type: ignore[no-untyped-def]
        subject = claims.get("sub")
        if not subject:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(sso_subject=str(subject))

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def _username(self, claims: dict[str, Any]) -> str:
        wanted = str(claims.get("preferred_username") or "")[:150]
        if wanted and not self.UserModel.objects.filter(username=wanted).exists():
            return wanted
        # The name is taken (perhaps by a local account): the subject names this account instead.
        return f"sso-{str(claims['sub'])[:140]}"

    @transaction.atomic
    def create_user(self, claims: dict[str, Any]) -> User:
        user = self.UserModel(username=self._username(claims), sso_subject=str(claims["sub"]))
        user.set_unusable_password()
        return self.update_user(user, claims)

    @transaction.atomic
    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        user.first_name = str(claims.get("given_name") or "")[:150]
        user.last_name = str(claims.get("family_name") or "")[:150]
        user.email = str(claims.get("email") or "")[:254]
        user.save()
        # Roles the provider manages are exactly what its groups say; nothing maps to Administrator (settings).
        wanted = set(Group.objects.filter(name__in=roles_from_claims(claims)))
        current = set(user.groups.all())
        if missing := wanted - current:
            user.groups.add(*missing)
        if extra := current - wanted:
            user.groups.remove(*extra)
        return user

    def get_user(self, user_id: Any) -> User | None:
        user = super().get_user(user_id)
        if user is None or not user.is_active or user.access_expired():
            return None
        return user


def login(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationRequestView.as_view()(request)


def callback(request: HttpRequest) -> HttpResponse:
    if not enabled():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationCallbackView.as_view()(request)
