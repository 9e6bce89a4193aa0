"""Two-factor authentication: an authenticator app (TOTP) plus ten one-time recovery codes, on django-otp.

Anyone may turn it on; an administrator may require it per role (RoleSecurityPolicy, or AIMS_2FA_REQUIRED_ROLES).
API tokens are a separate credential and are not affected. Every enrolment, disabling, reset, recovery-code
use and wrong code is recorded in the audit trail.

Verification runs outside any transaction of ours on purpose: django-otp saves its throttle counter when a code
is wrong, and a rollback would give an attacker unlimited guesses.
"""

from __future__ import annotations

import re
import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aims.accounts.models import RoleSecurityPolicy, User
from aims.accounts.services import actor_kwargs
from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.exceptions import Conflict, NotAllowed, ServiceError

PENDING_KEY = "_aims_2fa_pending"
CHECKED_KEY = "_aims_2fa_checked_at"
# How long a session that needs nothing is trusted before the requirement is looked up again, so that a role
# newly requiring two-factor reaches sessions already open within a minute, without a query per request.
RECHECK_SECONDS = 60
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
WRONG_CODE = "That code is not right. Check the time on your device, or use a recovery code."

VERIFY = "verify"
ENROL = "enrol"


@dataclass(frozen=True)
class Verification:
    device: Device | None
    locked_until: datetime | None = None


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("id").first()


def is_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def required_roles() -> set[str]:
    configured = set(settings.AIMS_2FA_REQUIRED_ROLES)
    return configured | set(
        RoleSecurityPolicy.objects.filter(two_factor_required=True).values_list("group__name", flat=True)
    )


def is_required(user: User) -> bool:
    roles = required_roles()
    return bool(roles) and user.groups.filter(name__in=roles).exists()


def requirement(user: User) -> str | None:
    """What a logged-in but unverified session still owes: a code (VERIFY), an enrolment (ENROL), or nothing."""
    if is_enabled(user):
        return VERIFY
    if is_required(user):
        return ENROL
    return None


def session_requirement(request: HttpRequest) -> str | None:
    """requirement() for the request's user, remembered in the session for RECHECK_SECONDS when it is nothing."""
    checked = request.session.get(CHECKED_KEY)
    if isinstance(checked, (int, float)) and time.time() - checked < RECHECK_SECONDS:
        return None
    need = requirement(request.user)
    if need is None:
        request.session[CHECKED_KEY] = time.time()
    else:
        request.session.pop(CHECKED_KEY, None)
    return need


# --- Enrolment ------------------------------------------------------------------------------------------


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """The unconfirmed device the person scans; the same one until confirmed, so reloading keeps the QR code."""
    if is_enabled(user):
        raise Conflict("Two-factor authentication is already on. Turn it off first to enrol a new device.")
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice(user=user, name=TOTP_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (the CSP allows data: images, and nothing inline
    runs)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def manual_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()[:32]


def confirm_enrolment(*, user: User, token: str, request: HttpRequest | None = None) -> tuple[TOTPDevice, list[str]]:
    """Confirm the scanned device with a code from it. Returns the device and the recovery codes, which are
    shown once."""
    device = totp_device(user, confirmed=False)
    if device is None:
        raise ServiceError("Start the enrolment again: no device is waiting for confirmation.")
    if not verify_token(user, device.persistent_id, _normalise(token)):
        _record_wrong_code(user, request, during="enrolment")
        raise ServiceError(WRONG_CODE, fields={"token": [WRONG_CODE]})
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.refresh_from_db()
        codes = _replace_recovery_codes(user)
        audit.record(
            AuditKind.CONFIG_CHANGE,
            actor=user,
            request=request,
            subject=user,
            summary=f"Two-factor authentication turned on by {user.get_username()}",
            details={"action": "two_factor_enrolled"},
        )
    return device, codes


def _replace_recovery_codes(user: User) -> list[str]:
    # The device stays (a session verified with a recovery code keeps its verification); only its codes change.
    device = StaticDevice.objects.filter(user=user).order_by("id").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def regenerate_recovery_codes(*, user: User, token: str, request: HttpRequest | None = None) -> list[str]:
    """New recovery codes for old (all old ones stop working); needs a current code."""
    if verify(user=user, token=token, request=request).device is None:
        raise ServiceError(WRONG_CODE, fields={"token": [WRONG_CODE]})
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        audit.record(
            AuditKind.CONFIG_CHANGE,
            actor=user,
            request=request,
            subject=user,
            summary=f"New recovery codes made by {user.get_username()}",
            details={"action": "recovery_codes_regenerated"},
        )
    return codes


def disable(*, user: User, token: str, request: HttpRequest | None = None) -> None:
    """Turn two-factor off, proven with a current code. Refused while the person's role requires it."""
    if is_required(user):
        raise NotAllowed("Your role requires two-factor authentication; an administrator can reset your device.")
    if verify(user=user, token=token, request=request).device is None:
        raise ServiceError(WRONG_CODE, fields={"token": [WRONG_CODE]})
    _remove_devices(user=user, by=user, request=request, action="two_factor_disabled", verb="turned off")


def reset(*, user: User, by: Any, request: HttpRequest | None = None) -> None:
    """An administrator removes a person's devices (a lost phone); they enrol again at their next login if their
    role requires it."""
    if not is_enabled(user) and not StaticDevice.objects.filter(user=user).exists():
        raise Conflict(f"{user.get_username()} has no two-factor device.")
    _remove_devices(user=user, by=by, request=request, action="two_factor_reset", verb="reset")


@transaction.atomic
def _remove_devices(*, user: User, by: Any, request: HttpRequest | None, action: str, verb: str) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(
        AuditKind.CONFIG_CHANGE,
        **actor_kwargs(by),
        request=request,
        subject=user,
        summary=f"Two-factor authentication of {user.get_username()} {verb}",
        details={"action": action},
    )


# --- Verification ---------------------------------------------------------------------------------------


def verify(*, user: User, token: str, request: HttpRequest | None = None) -> Verification:
    """Check a code against the person's authenticator (six digits) or recovery codes (anything else).

    A recovery code works once and its use is recorded; a wrong code is recorded and slows the next attempts
    down (django-otp doubles the wait after each failure)."""
    token = _normalise(token)
    if re.fullmatch(r"\d{6}", token):
        devices: list[Device] = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            _record_wrong_code(user, request, during="login", throttled=True)
            return Verification(None, (info or {}).get("locked_until"))
        if verify_token(user, device.persistent_id, token):
            if isinstance(device, StaticDevice):
                left = recovery_codes_left(user)
                audit.record(
                    AuditKind.LOGIN,
                    actor=user,
                    request=request,
                    subject=user,
                    summary=f"Recovery code used by {user.get_username()} ({left} left)",
                    details={"action": "recovery_code_used", "left": left},
                )
            return Verification(device)
    _record_wrong_code(user, request, during="login")
    return Verification(None)


def _record_wrong_code(user: User, request: HttpRequest | None, *, during: str, throttled: bool = False) -> None:
    audit.record(
        AuditKind.LOGIN_FAILED,
        actor_label=user.get_username(),
        request=request,
        subject=user,
        summary=f"Wrong two-factor code for {user.get_username()!r}" + (" (still throttled)" if throttled else ""),
        details={"action": "two_factor_failed", "during": during, "throttled": throttled},
    )


# --- The step between password and code -----------------------------------------------------------------


def begin_pending_login(request: HttpRequest, user: Any) -> None:
    """The password was right and the account has a device: remember who, for AIMS_2FA_PENDING_SECONDS, without
    logging in. Nothing of the portal opens until the code is right."""
    request.session[PENDING_KEY] = {"user_id": user.pk, "backend": user.backend, "at": time.time()}


def pending_login(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.AIMS_2FA_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    if user is None or user.access_expired():
        request.session.pop(PENDING_KEY, None)
        return None
    return user, str(pending.get("backend", ""))


def clear_pending_login(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
