"""Roles are groups with named permissions; an expired auditor has none and cannot log in."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aims.accounts.choices import Role
from aims.accounts.roles import role_permissions, sync_roles


def test_every_role_exists_with_exactly_its_listed_permissions(db) -> None:
    sync_roles()
    for role, perms in role_permissions().items():
        group = Group.objects.get(name=role)
        perms_qs = group.permissions.select_related("content_type")
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in perms_qs}
        assert granted == set(perms), role


# Asking for a report or an evidence pack produces a download of what the auditor already reads; it changes
# nothing in the management system (aims/reports/roles.py).
AUDITOR_TAKEAWAYS = {"reports.add_reportrun", "reports.request_evidence_pack"}


def test_the_auditor_role_grants_no_write_permission(db) -> None:
    writes = [p for p in role_permissions()[Role.AUDITOR] if not p.split(".", 1)[1].startswith("view_")]
    assert set(writes) <= AUDITOR_TAKEAWAYS
    assert not any(p.split(".", 1)[1].startswith(("change_", "delete_", "decide_")) for p in writes)


def test_only_the_committee_may_decide_and_only_the_officer_may_request(db) -> None:
    perms = role_permissions()
    assert [r for r, p in perms.items() if "core.decide_decision" in p] == [Role.COMMITTEE]
    assert [r for r, p in perms.items() if "core.request_decision" in p] == [Role.OFFICER]


def test_show_roles_prints_each_role_and_permission(db) -> None:
    out = StringIO()
    call_command("show_roles", stdout=out)
    text = out.getvalue()
    assert "Committee member:\n" in text
    assert "  core.decide_decision" in text


def test_an_expired_auditor_has_no_permissions(expired_auditor, auditor) -> None:
    assert auditor.user.has_perm("core.view_decision")
    assert not expired_auditor.user.has_perm("core.view_decision")
    assert expired_auditor.user.get_all_permissions() == set()


def test_an_expired_auditor_cannot_log_in(expired_auditor) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "expired_auditor", "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "correct username and password" in response.content.decode()


def test_an_auditor_within_the_access_period_can_log_in(auditor) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "auditor", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(auditor.user.pk)


def test_a_session_of_an_account_whose_access_ended_is_closed_at_the_next_request(auditor) -> None:
    client = auditor.client()
    assert client.get(reverse("home")).status_code == 200
    auditor.user.access_expires_on = timezone.localdate() - timedelta(days=1)
    auditor.user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sessions_expire(settings) -> None:
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
