"""Per-request checks of a logged-in session: access still valid, session not ended, two-factor satisfied."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from aims.accounts import services, two_factor
from aims.core.api.errors import error_body


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


class UserSessionMiddleware:
    """Keeps the record behind "Your sessions" (made at a session's first request, last seen refreshed every few
    minutes), and refuses a session that was ended from elsewhere even when the session store could not delete
    it (a cache-only engine)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            record = services.track_session(request=request)
            if record is not None and (record.ended_at is not None or record.user_id != request.user.pk):
                request.session.flush()
                request.user = AnonymousUser()
                messages.info(request, "This session was ended. Log in again to continue.")
        return self.get_response(request)


# Pages a session that owes a code or an enrolment may still open.
VERIFY_OPEN = {"accounts:two-factor-verify", "accounts:logout", "accounts:login", "healthz"}
ENROL_OPEN = VERIFY_OPEN | {"accounts:two-factor", "accounts:two-factor-enrol"}


class TwoFactorMiddleware:
    """A logged-in session of someone with a device must have passed the code (sessions opened before they
    enrolled, or by other means, are asked for it), and someone whose role requires two-factor without a device
    is sent to enrolment before anything else. Requests carrying an API token are not concerned: a token is a
    credential of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and "HTTP_AUTHORIZATION" not in request.META
            and not user.is_verified()
            and (need := two_factor.session_requirement(request))
        ):
            try:
                name = resolve(request.path_info).view_name
            except Resolver404:
                name = ""
            if name not in (ENROL_OPEN if need == two_factor.ENROL else VERIFY_OPEN):
                return self._refuse(request, need)
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, need: str) -> HttpResponse:
        if need == two_factor.ENROL:
            message = "Your role requires two-factor authentication: turn it on to continue."
            target = reverse("accounts:two-factor-enrol")
        else:
            message = "Enter your two-factor code to continue."
            target = reverse("accounts:two-factor-verify")
        if request.path_info.startswith("/api/"):
            return JsonResponse(error_body("two_factor_required", message), status=403)
        messages.info(request, message)
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
