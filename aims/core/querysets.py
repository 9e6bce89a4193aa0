"""Scoping every read by the user who asks (NetBox's RestrictedQuerySet, reduced to what we need)."""

from __future__ import annotations

from typing import Any, Self

from django.db import models


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be narrowed to what a user may see or change.

    `restrict(user, "view")` first requires the model permission (`app.view_model`); without it the result is
    empty. A model narrows further per object by overriding `scope(user, action)` on its own queryset class:
    that is the one scoping helper per model.
    """

    def restrict(self, user: Any, action: str = "view") -> Self:
        opts = self.model._meta
        if user is None or not user.is_authenticated:
            return self.none()
        if not user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return self.none()
        return self.scope(user, action)

    def scope(self, user: Any, action: str) -> Self:
        """Per-object narrowing; the default lets the model permission decide alone."""
        return self
