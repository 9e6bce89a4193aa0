"""Ends a session whose account may no longer use the portal (access expired, deactivated)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse


class AccessExpiryMiddleware:
    """The auth backend already refuses such an account, so `request.user` is anonymous; what is left is a
    session that still names it. Flushing it ends the session for good and tells the person why."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.session.get(SESSION_KEY) and not request.user.is_authenticated:
            request.session.flush()
            messages.error(request, "Your session has ended: your access to the portal has ended.")
        return self.get_response(request)
