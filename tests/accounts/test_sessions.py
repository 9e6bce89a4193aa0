""" "Your sessions": each login's session is listed (browser, network, times) and can be ended, one or all others;
ending deletes the Django session, and the ended browser is logged out at its next request. Audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aims.accounts import services
from aims.accounts.models import UserSession
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from tests.accounts.helpers import post_login

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _logged_in(username: str, ip: str, agent: str = FIREFOX) -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    assert post_login(client, username).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    return client


def test_a_login_is_listed_with_its_browser_and_truncated_network(officer) -> None:
    client = _logged_in("officer", "203.0.113.77")
    record = UserSession.objects.get(user=officer.user)
    assert record.network == "203.0.113.0/24"
    assert "203.0.113.77" not in record.network
    assert record.user_agent == FIREFOX
    assert record.key_hash == services.session_key_hash(client.session.session_key)
    assert client.session.session_key not in record.key_hash
    page = client.get(reverse("accounts:sessions")).content.decode()
    assert "203.0.113.0/24" in page and "(this session)" in page


def test_ending_another_session_logs_that_browser_out(officer) -> None:
    laptop = _logged_in("officer", "198.51.100.1")
    phone = _logged_in("officer", "198.51.100.2", agent="Phone")
    phone_record = UserSession.objects.get(user=officer.user, user_agent="Phone")
    response = laptop.post(reverse("accounts:session-end", kwargs={"pk": phone_record.pk}))
    assert response.status_code == 302
    phone_record.refresh_from_db()
    assert phone_record.ended_at is not None
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()
    assert phone.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    assert laptop.get(reverse("home")).status_code == 200
    row = AuditEvent.objects.get(details__action="session_ended")
    assert row.kind == AuditKind.LOGOUT and row.actor == officer.user


def test_end_all_other_sessions_keeps_this_one(officer) -> None:
    here = _logged_in("officer", "198.51.100.1")
    others = [_logged_in("officer", f"198.51.100.{n}") for n in (2, 3)]
    here.post(reverse("accounts:sessions-end-others"))
    for other in others:
        assert other.get(reverse("home")).status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert UserSession.objects.open().filter(user=officer.user).count() == 1
    assert AuditEvent.objects.get(details__action="sessions_ended").details["count"] == 2


def test_nobody_sees_or_ends_someone_elses_session(officer, owner) -> None:
    _logged_in("officer", "198.51.100.1")
    record = UserSession.objects.get(user=officer.user)
    client = owner.client()
    assert "198.51.100.0/24" not in client.get(reverse("accounts:sessions")).content.decode()
    assert client.post(reverse("accounts:session-end", kwargs={"pk": record.pk})).status_code == 404
    record.refresh_from_db()
    assert record.ended_at is None


def test_logging_out_ends_the_record(officer) -> None:
    client = _logged_in("officer", "198.51.100.1")
    client.post(reverse("accounts:logout"))
    assert UserSession.objects.get(user=officer.user).end_reason == "logged out"
    assert not UserSession.objects.open().exists()


def test_ending_this_session_goes_to_the_login_page(officer) -> None:
    client = _logged_in("officer", "198.51.100.1")
    record = UserSession.objects.get(user=officer.user)
    response = client.post(reverse("accounts:session-end", kwargs={"pk": record.pk}))
    assert response["Location"] == reverse("accounts:login")
    assert client.get(reverse("home")).status_code == 302


def test_with_a_cache_only_session_store_an_ended_session_is_refused_at_its_next_request(officer, settings) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    other = officer.client()
    assert other.get(reverse("home")).status_code == 200
    record = UserSession.objects.get(user=officer.user)
    services.end_session(record=record, by=officer.user, reason="test")
    assert other.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))


def test_last_seen_is_refreshed_only_every_few_minutes(officer) -> None:
    client = officer.client()
    client.get(reverse("home"))
    record = UserSession.objects.get(user=officer.user)
    UserSession.objects.filter(pk=record.pk).update(last_seen_at=timezone.now() - timedelta(minutes=1))
    client.get(reverse("home"))
    unchanged = UserSession.objects.get(pk=record.pk).last_seen_at
    assert timezone.now() - unchanged >= timedelta(minutes=1)
    UserSession.objects.filter(pk=record.pk).update(last_seen_at=timezone.now() - timedelta(minutes=10))
    client.get(reverse("home"))
    assert timezone.now() - UserSession.objects.get(pk=record.pk).last_seen_at < timedelta(minutes=1)


def test_old_session_records_are_purged(officer, settings) -> None:
    now = timezone.now()
    old = now - timedelta(days=settings.AIMS_SESSION_RECORD_DAYS + 1)
    UserSession.objects.create(user=officer.user, key_hash="a" * 64, ended_at=old, last_seen_at=old)
    UserSession.objects.create(
        user=officer.user, key_hash="b" * 64, ended_at=None, last_seen_at=old - timedelta(days=1)
    )
    kept = UserSession.objects.create(user=officer.user, key_hash="c" * 64, ended_at=now - timedelta(days=1))
    assert services.purge_session_records() == 2
    assert list(UserSession.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.parametrize(
    ("address", "network"),
    [("192.0.2.201", "192.0.2.0/24"), ("2001:db8:1234:5678::1", "2001:db8:1234::/48"), ("junk", ""), (None, "")],
)
def test_addresses_are_kept_only_as_their_network(address, network) -> None:
    assert services.network_of(address) == network
