"""Login throttling (django-axes): wrong passwords lock an address and an account for a while, the login page
says so, an administrator can lift it, every step is audited, and API tokens are never locked out."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from tests.accounts.helpers import post_login


@pytest.fixture(autouse=True)
def _limit(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def _fail(times: int, username: str, ip: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    for _ in range(times):
        post_login(client, username, "wrong password")
    return client


def _locked_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED, details__action="locked_out"))


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_page(officer) -> None:
    client = _fail(2, "officer")
    response = post_login(client, "officer", "wrong password")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Login paused" in page and "Too many failed logins" in page
    assert "0:15:00" in page  # how long, in words a person can act on
    # The right password does not get through while the lock holds.
    locked = post_login(client, "officer")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_account_whatever_the_address(officer) -> None:
    for index in range(3):
        _fail(1, "officer", ip=f"198.51.100.{index + 1}")
    response = post_login(Client(REMOTE_ADDR="203.0.113.9"), "officer")
    assert response.status_code == 429


def test_the_lock_is_per_address_whatever_the_account(officer, owner) -> None:
    for name in ("alice", "bob", "carol"):
        _fail(1, name, ip="192.0.2.50")
    assert post_login(Client(REMOTE_ADDR="192.0.2.50"), "owner").status_code == 429
    # Another address logs in to the same account.
    assert post_login(Client(REMOTE_ADDR="192.0.2.51"), "owner").status_code == 302


def test_the_lockout_is_audited_once_beside_each_failed_login(officer) -> None:
    client = _fail(3, "officer")
    post_login(client, "officer", "wrong again")
    [row] = _locked_rows()
    assert row.actor_label == "officer"
    assert row.ip_address == "127.0.0.1"
    assert "Login locked after 3 failures" in row.summary
    assert AuditEvent.objects.filter(kind=AuditKind.LOGIN_FAILED).count() == 5  # 4 attempts + the lock


def test_the_lock_lifts_after_the_cool_off(officer) -> None:
    _fail(3, "officer")
    with freeze_time(timezone.now() + timedelta(minutes=16)):
        assert post_login(Client(), "officer").status_code == 302


def test_a_successful_login_resets_the_count(officer) -> None:
    client = _fail(2, "officer")
    assert post_login(client, "officer").status_code == 302
    assert not AccessAttempt.objects.filter(username="officer").exists()
    assert post_login(_fail(2, "officer"), "officer").status_code == 302


def test_unlock_login_command_lifts_the_lock_and_is_audited(officer) -> None:
    _fail(3, "officer")
    out = StringIO()
    call_command("unlock_login", "--username", "officer", stdout=out)
    assert "unlocked: 1" in out.getvalue()
    # The address stayed counted separately: lift it too, as an operator would for a person's own PC.
    call_command("unlock_login", "--ip", "127.0.0.1", stdout=StringIO())
    assert post_login(Client(), "officer").status_code == 302
    row = AuditEvent.objects.get(kind=AuditKind.CONFIG_CHANGE, details__username="officer")
    assert row.actor_label == "manage.py"
    assert row.details["action"] == "lockout_lifted"


def test_unlock_login_needs_an_account_or_an_address(db) -> None:
    with pytest.raises(CommandError, match="Name an account or an address"):
        call_command("unlock_login", stdout=StringIO())


def test_an_administrator_unlocks_from_the_user_admin(officer, administrator) -> None:
    _fail(3, "officer", ip="198.51.100.7")
    admin = administrator.client()
    response = admin.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [officer.user.pk]},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="officer").exists()
    row = AuditEvent.objects.get(kind=AuditKind.CONFIG_CHANGE, details__action="lockout_lifted")
    assert row.actor == administrator.user


def test_deleting_an_attempt_in_the_axes_admin_is_audited(officer, administrator) -> None:
    _fail(3, "officer")
    attempt = AccessAttempt.objects.get(username="officer")
    response = administrator.client().post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    row = AuditEvent.objects.get(kind=AuditKind.CONFIG_CHANGE, details__action="lockout_lifted")
    assert (row.actor, row.details["username"]) == (administrator.user, "officer")


def test_api_tokens_work_from_a_locked_address_and_for_a_locked_account(officer, ingestion) -> None:
    _fail(3, "officer")
    assert post_login(Client(), "officer").status_code == 429
    response = officer.api().get(reverse("api:me"), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert response.json()["username"] == "officer"
    # The gateway's source token is not a login either.
    bundle = ingestion.api().get(reverse("api:enforcement-bundle"))
    assert bundle.status_code in {200, 404}


def test_attempts_store_no_password(officer) -> None:
    _fail(1, "officer")
    attempt = AccessAttempt.objects.get(username="officer")
    assert "wrong password" not in attempt.post_data
