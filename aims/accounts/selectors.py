"""Reads of accounts, scoped by user. A person's own tokens and sessions need no permission: they are theirs."""

from __future__ import annotations

from django.db.models import QuerySet

from aims.accounts.models import User, UserSession


def open_sessions_of(user: User) -> QuerySet[UserSession]:
    if not user.is_authenticated:
        return UserSession.objects.none()
    return UserSession.objects.filter(user=user).open()
