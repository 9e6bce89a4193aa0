"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from aims.core.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": items_for(user, request.path)}
