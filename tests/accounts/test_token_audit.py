"""Token use is in the audit trail at most once per token per hour; last use is kept at a finer resolution."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from aims.accounts.models import ApiToken
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent


def _uses(token: ApiToken) -> int:
    return AuditEvent.objects.filter(kind=AuditKind.TOKEN_USED, subject_id=str(token.pk)).count()


def test_token_use_is_recorded_once_an_hour_per_token(officer) -> None:
    token = officer.user.api_tokens.get()
    start = timezone.now()
    client = officer.api()
    assert client.get(reverse("api:me")).status_code == 200
    with freeze_time(start + timedelta(minutes=30)):
        client.get(reverse("api:me"))
    assert _uses(token) == 1
    with freeze_time(start + timedelta(minutes=61)):
        client.get(reverse("api:me"))
    assert _uses(token) == 2
    row = AuditEvent.objects.filter(kind=AuditKind.TOKEN_USED).latest("id")
    assert row.actor == officer.user and token.prefix in row.summary


def test_last_use_moves_every_few_minutes(officer) -> None:
    token = officer.user.api_tokens.get()
    start = timezone.now()
    client = officer.api()
    client.get(reverse("api:me"))
    token.refresh_from_db()
    first = token.last_used_at
    with freeze_time(start + timedelta(minutes=2)):
        client.get(reverse("api:me"))
    token.refresh_from_db()
    assert token.last_used_at == first
    with freeze_time(start + timedelta(minutes=6)):
        client.get(reverse("api:me"))
    token.refresh_from_db()
    assert token.last_used_at > first


def test_each_token_is_recorded_on_its_own(officer, auditor) -> None:
    officer.api().get(reverse("api:me"))
    auditor.api().get(reverse("api:me"))
    actors = set(AuditEvent.objects.filter(kind=AuditKind.TOKEN_USED).values_list("actor_label", flat=True))
    assert actors == {"officer", "auditor"}
