"""Login (with the two-factor step), logout, personal API tokens, two-factor settings, "Your sessions", and the
administrators' page for exporting and erasing a person's data."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from aims.accounts import oidc, selectors, services, two_factor
from aims.accounts import privacy as personal_data
from aims.accounts.forms import ApiTokenForm, EnrolmentCodeForm, EraseForm, PersonLookupForm, TwoFactorCodeForm
from aims.accounts.models import ApiToken, User
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        return {**super().get_context_data(**kwargs), "sso_enabled": oidc.enabled()}

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        user = form.get_user()
        if oidc.enabled() and settings.AIMS_OIDC_LOCAL_LOGIN_STAFF_ONLY and not user.is_staff:
            # With single sign-on, passwords stay for administrators; everyone else uses the provider.
            form.add_error(None, "Log in with single sign-on: the password form is for administrators only.")
            return self.form_invalid(form)
        if two_factor.is_enabled(user):
            # The password was right; the session stays anonymous until the code is too.
            two_factor.begin_pending_login(self.request, user)
            query = urlencode({"next": self.get_redirect_url() or ""})
            return redirect(f"{reverse('accounts:two-factor-verify')}?{query}")
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        services.mark_logged_out(request=request)
        return super().post(request, *args, **kwargs)


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "new_key": new_key, "tokens": ApiToken.objects.filter(user=request.user)},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    try:
        services.revoke_api_token(token=token, by=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:tokens")


# --- Two-factor authentication --------------------------------------------------------------------------


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login, or of a session opened before its owner enrolled."""
    next_url = _next_url(request)
    if request.user.is_authenticated:
        if request.user.is_verified() or not two_factor.is_enabled(request.user):
            return redirect(next_url)
        user, backend = request.user, ""
    else:
        pending = two_factor.pending_login(request)
        if pending is None:
            messages.info(request, "Log in with your password first; a code is asked for afterwards.")
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
        user, backend = pending
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.verify(user=user, token=form.cleaned_data["token"], request=request)
        if result.device is not None:
            if not request.user.is_authenticated:
                two_factor.clear_pending_login(request)
                auth_login(request, user, backend=backend)
            otp_login(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(request, f"You used a recovery code; {left} left. Make new ones if you run low.")
            return redirect(next_url)
        if result.locked_until is not None:
            form.add_error("token", f"Too many wrong codes. Try again after {result.locked_until:%H:%M:%S} UTC.")
        else:
            form.add_error("token", two_factor.WRONG_CODE)
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@login_required
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": two_factor.is_enabled(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "form": TwoFactorCodeForm(),
        },
    )


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    try:
        device = two_factor.start_enrolment(user=request.user)
    except ServiceError as exc:
        messages.info(request, exc.message)
        return redirect("accounts:two-factor")
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.confirm_enrolment(
                user=request.user, token=form.cleaned_data["token"], request=request
            )
        except ServiceError as exc:
            form.add_error("token", exc.message)
        else:
            # This session is verified by the enrolment; older sessions of the account are asked for a code.
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is on.")
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr": two_factor.qr_data_uri(device),
            "secret": two_factor.manual_secret(device),
            "required": two_factor.is_required(request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    form = TwoFactorCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(two_factor.WRONG_CODE)
        two_factor.disable(user=request.user, token=form.cleaned_data["token"], request=request)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Two-factor authentication is off.")
    return redirect("accounts:two-factor")


@login_required
@require_POST
def two_factor_recovery(request: HttpRequest) -> HttpResponse:
    form = TwoFactorCodeForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(two_factor.WRONG_CODE)
        codes = two_factor.regenerate_recovery_codes(
            user=request.user, token=form.cleaned_data["token"], request=request
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:two-factor")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


# --- Your sessions --------------------------------------------------------------------------------------


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    current = services.session_key_hash(request.session.session_key or "")
    rows = selectors.open_sessions_of(request.user)
    return render(request, "accounts/sessions.html", {"sessions": rows, "current": current})


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(selectors.open_sessions_of(request.user), pk=pk)
    current = record.key_hash == services.session_key_hash(request.session.session_key or "")
    try:
        services.end_session(record=record, by=request.user, reason="ended by its owner", request=request)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if current:
            return redirect("accounts:login")
        messages.success(request, "The session was ended.")
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    count = services.end_other_sessions(
        user=request.user, current_key=request.session.session_key, by=request.user, request=request
    )
    messages.success(request, f"{count} other session(s) ended." if count else "You had no other sessions.")
    return redirect("accounts:sessions")


# --- Personal data (administrators) ---------------------------------------------------------------------


@permission_required("accounts.manage_personal_data")
def privacy(request: HttpRequest) -> HttpResponse:
    form = PersonLookupForm(request.GET or None)
    person = None
    if form.is_valid():
        try:
            person = personal_data.find_user(form.cleaned_data["username"])
        except ServiceError as exc:
            form.add_error("username", exc.message)
    return render(
        request,
        "accounts/privacy.html",
        {"form": form, "person": person, "erase_form": EraseForm(expected=person.username) if person else None},
        status=400 if form.errors else 200,
    )


@permission_required("accounts.manage_personal_data")
def privacy_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    data = personal_data.export_personal_data(user=person, by=request.user, request=request)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.json"'
    response["Cache-Control"] = "no-store"
    return response


@permission_required("accounts.manage_personal_data")
@require_POST
def privacy_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = EraseForm(request.POST, expected=person.username)
    if form.is_valid():
        try:
            personal_data.erase_personal_data(user=person, by=request.user, request=request)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Account #{person.pk} erased; its records now read erased-{person.pk}.")
        return redirect(f"{reverse('accounts:privacy')}?{urlencode({'username': str(person.pk)})}")
    return render(
        request,
        "accounts/privacy.html",
        {"form": PersonLookupForm(initial={"username": person.username}), "person": person, "erase_form": form},
        status=400,
    )
