"""Authentication that honours time-boxed access: an expired account cannot log in and has no permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class AccessExpiryModelBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not user.access_expired()

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if getattr(user_obj, "access_expired", None) and user_obj.access_expired():
            return set()
        return super().get_all_permissions(user_obj, obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        # ModelBackend lets an active superuser through before asking for permissions; expiry comes first.
        if getattr(user_obj, "access_expired", None) and user_obj.access_expired():
            return False
        return super().has_perm(user_obj, perm, obj)
