"""Two-factor authentication: anyone can turn it on, logins then ask for a code after the password, recovery
codes work once, an administrator can require it per role, and API tokens are never asked for a code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from aims.accounts import two_factor
from aims.accounts.choices import Role
from aims.accounts.models import RoleSecurityPolicy
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from tests.accounts.helpers import code, enrol, post_login


@pytest.fixture
def no_throttle(settings) -> None:
    # django-otp doubles a wait after each wrong code; tests that try again at once switch that off.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("details__action", flat=True))


def test_enrolment_shows_a_qr_code_and_a_key_and_needs_a_code_to_confirm(officer) -> None:
    client = officer.client()
    page = client.get(reverse("accounts:two-factor-enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<img src="data:image/svg\+xml[^"]+"', html)
    device = TOTPDevice.objects.get(user=officer.user)
    assert not device.confirmed
    assert page.context["secret"].replace(" ", "") in device.config_url
    # Reloading keeps the same device, so a slow scan still matches.
    client.get(reverse("accounts:two-factor-enrol"))
    assert TOTPDevice.objects.filter(user=officer.user).count() == 1

    wrong = client.post(reverse("accounts:two-factor-enrol"), {"token": "000000"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_confirming_turns_it_on_and_shows_ten_recovery_codes_once(officer) -> None:
    client = officer.client()
    device, codes = enrol(client)
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert two_factor.is_enabled(officer.user)
    settings_page = client.get(reverse("accounts:two-factor")).content.decode()
    assert "10 unused recovery codes" in settings_page
    assert not any(c in settings_page for c in codes)
    assert "two_factor_enrolled" in _actions()


def test_the_enrolment_page_runs_under_the_csp(officer, settings) -> None:
    response = officer.client().get(reverse("accounts:two-factor-enrol"))
    csp = response["Content-Security-Policy"]
    assert "img-src 'self' data:" in csp
    assert "script-src 'self'" in csp
    html = response.content.decode()
    assert "<script" not in html and "<style" not in html and " style=" not in html


def test_a_login_asks_for_the_code_after_the_password(officer) -> None:
    device, _ = enrol(officer.client())
    client = Client()
    response = post_login(client, "officer")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    # Between the two steps nothing of the portal opens.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))

    done = client.post(reverse("accounts:two-factor-verify"), {"token": code(device), "next": "/"})
    assert done.status_code == 302 and done["Location"] == "/"
    assert client.session["_auth_user_id"] == str(officer.user.pk)
    assert client.get(reverse("home")).status_code == 200
    login = AuditEvent.objects.filter(kind=AuditKind.LOGIN).latest("id")
    assert login.actor == officer.user


def test_a_wrong_code_is_refused_audited_and_slows_the_next_try(officer) -> None:
    device, _ = enrol(officer.client())
    client = Client()
    post_login(client, "officer")
    wrong = client.post(reverse("accounts:two-factor-verify"), {"token": "123456"})
    assert wrong.status_code == 400
    assert "_auth_user_id" not in client.session
    # Right away, even the right code waits out the throttle.
    throttled = client.post(reverse("accounts:two-factor-verify"), {"token": code(device)})
    assert throttled.status_code == 400
    assert "Too many wrong codes" in throttled.content.decode()
    failed = AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, details__action="two_factor_failed")
    assert failed.count() == 2
    assert failed.first().actor_label == "officer"
    with freeze_time(timezone.now() + timedelta(seconds=5)):
        assert client.post(reverse("accounts:two-factor-verify"), {"token": code(device)}).status_code == 302


def test_a_code_cannot_be_replayed(officer, no_throttle) -> None:
    device, _ = enrol(officer.client())
    token = code(device)
    first = Client()
    post_login(first, "officer")
    assert first.post(reverse("accounts:two-factor-verify"), {"token": token}).status_code == 302
    second = Client()
    post_login(second, "officer")
    assert second.post(reverse("accounts:two-factor-verify"), {"token": token}).status_code == 400


def test_a_recovery_code_works_once_and_its_use_is_audited(officer, no_throttle) -> None:
    _, codes = enrol(officer.client())
    client = Client()
    post_login(client, "officer")
    response = client.post(reverse("accounts:two-factor-verify"), {"token": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "You used a recovery code; 9 left" in response.content.decode()
    row = AuditEvent.objects.get(details__action="recovery_code_used")
    assert (row.actor, row.details["left"]) == (officer.user, 9)

    again = Client()
    post_login(again, "officer")
    assert again.post(reverse("accounts:two-factor-verify"), {"token": codes[0]}).status_code == 400


def test_the_code_step_expires(officer, settings) -> None:
    device, _ = enrol(officer.client())
    client = Client()
    post_login(client, "officer")
    with freeze_time(timezone.now() + timedelta(seconds=settings.AIMS_2FA_PENDING_SECONDS + 1)):
        response = client.post(reverse("accounts:two-factor-verify"), {"token": code(device)})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_session_opened_without_the_code_is_asked_for_it(officer) -> None:
    device, _ = enrol(officer.client())
    client = officer.client()  # a session that never passed a code (force_login, or opened before enrolment)
    page = client.get(reverse("core:decision-list"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:two-factor-verify"))
    api = client.get(reverse("api:me"))
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "two_factor_required"
    assert client.post(reverse("accounts:two-factor-verify"), {"token": code(device)}).status_code == 302
    assert client.get(reverse("core:decision-list")).status_code == 200


def test_api_tokens_are_never_asked_for_a_code(officer, auditor) -> None:
    enrol(officer.client())
    RoleSecurityPolicy.objects.create(group=Group.objects.get(name=Role.AUDITOR), two_factor_required=True)
    for persona in (officer, auditor):
        assert persona.api().get(reverse("api:me")).status_code == 200


def test_a_role_that_requires_it_sends_its_holders_to_enrolment_first(auditor, officer) -> None:
    RoleSecurityPolicy.objects.create(group=Group.objects.get(name=Role.AUDITOR), two_factor_required=True)
    client = auditor.client()
    response = client.get(reverse("core:decision-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-enrol"))
    assert client.get(reverse("accounts:two-factor-enrol")).status_code == 200
    # Other roles are not concerned.
    assert officer.client().get(reverse("core:decision-list")).status_code == 200
    enrol(client)
    assert client.get(reverse("core:decision-list")).status_code == 200


def test_the_required_roles_can_come_from_the_configuration(owner, settings) -> None:
    settings.AIMS_2FA_REQUIRED_ROLES = [Role.OWNER]
    response = owner.client().get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:two-factor-enrol"))


def test_it_is_optional_by_default(officer, owner, committee, auditor) -> None:
    for persona in (officer, owner, committee, auditor):
        assert not two_factor.is_required(persona.user)
        assert persona.client().get(reverse("home")).status_code == 200


def test_turning_it_off_needs_a_current_code_and_is_audited(officer, no_throttle) -> None:
    client = officer.client()
    device, _ = enrol(client)
    client.post(reverse("accounts:two-factor-disable"), {"token": "999999"})
    assert two_factor.is_enabled(officer.user)
    client.post(reverse("accounts:two-factor-disable"), {"token": code(device)})
    assert not two_factor.is_enabled(officer.user)
    assert not StaticToken.objects.filter(device__user=officer.user).exists()
    assert "two_factor_disabled" in _actions()


def test_it_cannot_be_turned_off_while_the_role_requires_it(auditor) -> None:
    client = auditor.client()
    device, _ = enrol(client)
    RoleSecurityPolicy.objects.create(group=Group.objects.get(name=Role.AUDITOR), two_factor_required=True)
    response = client.post(reverse("accounts:two-factor-disable"), {"token": code(device)}, follow=True)
    assert "Your role requires two-factor authentication" in response.content.decode()
    assert two_factor.is_enabled(auditor.user)


def test_new_recovery_codes_replace_the_old_ones(officer, no_throttle) -> None:
    client = officer.client()
    device, old = enrol(client)
    response = client.post(reverse("accounts:two-factor-recovery"), {"token": code(device)})
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=officer.user).values_list("token", flat=True)) == set(new)
    assert "recovery_codes_regenerated" in _actions()


def test_an_administrator_resets_a_lost_device(officer, administrator) -> None:
    enrol(officer.client())
    response = administrator.client().post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [officer.user.pk]},
    )
    assert response.status_code == 302
    assert not two_factor.is_enabled(officer.user)
    row = AuditEvent.objects.get(details__action="two_factor_reset")
    assert row.actor == administrator.user and row.subject_id == str(officer.user.pk)


def test_a_role_policy_saved_in_the_admin_is_audited(administrator) -> None:
    group = Group.objects.get(name=Role.COMMITTEE)
    response = administrator.client().post(
        reverse("admin:accounts_rolesecuritypolicy_add"), {"group": group.pk, "two_factor_required": "on"}
    )
    assert response.status_code == 302
    assert RoleSecurityPolicy.objects.get(group=group).two_factor_required
    row = AuditEvent.objects.get(details__action="role_policy_saved")
    assert row.kind == AuditKind.CONFIG_CHANGE and row.details["role"] == Role.COMMITTEE


def test_the_verify_page_without_a_pending_login_goes_back_to_the_login(db) -> None:
    response = Client().get(reverse("accounts:two-factor-verify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unsafe_next_is_ignored(officer) -> None:
    device, _ = enrol(officer.client())
    client = Client()
    post_login(client, "officer")
    response = client.post(
        reverse("accounts:two-factor-verify"), {"token": code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")
