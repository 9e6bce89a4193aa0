"""The portal's own audit trail: recorded by the services, readable by officers and auditors, append-only."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, ProgrammingError, transaction
from django.test import Client
from django.urls import reverse

from aims.accounts import services as account_services
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from aims.core import services as core_services
from tests.factories import DecisionFactory


def _kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))


def test_a_login_and_a_failed_login_are_recorded(officer) -> None:
    client = Client()
    client.post(reverse("accounts:login"), {"username": "officer", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "officer", "password": "correct horse battery staple"})
    failed, ok = AuditEvent.objects.filter(kind__in=[AuditKind.LOGIN, AuditKind.LOGIN_FAILED]).order_by("id")
    assert (failed.kind, failed.actor_label, failed.actor) == (AuditKind.LOGIN_FAILED, "officer", None)
    assert "wrong" not in str(failed.details) + failed.summary
    assert (ok.kind, ok.actor) == (AuditKind.LOGIN, officer.user)
    assert ok.ip_address == "127.0.0.1"


def test_token_use_is_recorded_at_the_tokens_resolution_not_per_request(officer) -> None:
    _, key = account_services.create_api_token(user=officer.user, name="script", days=5)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    for _ in range(3):
        assert client.get(reverse("api:me")).status_code == 200
    assert _kinds().count(AuditKind.TOKEN_USED) == 1


def test_requests_and_decisions_are_recorded_with_who_and_what(officer, committee) -> None:
    decision = DecisionFactory(requested_by=officer.user)
    core_services.decide(decision=decision, user=committee.user, approve=True, rationale="ok")
    row = AuditEvent.objects.get(kind=AuditKind.DECISION)
    assert row.actor == committee.user
    assert row.subject_id == str(decision.pk)
    assert row.details["requested_by"] == "officer"


def test_a_role_change_is_recorded(officer, outsider) -> None:
    outsider.user.groups.add(Group.objects.get(name="Auditor"))
    row = AuditEvent.objects.filter(kind=AuditKind.ROLE_CHANGE).latest("id")
    assert row.summary == "outsider added to Auditor"
    assert row.subject_id == str(outsider.user.pk)


def test_officers_and_auditors_read_it_and_others_do_not(officer, auditor, owner, committee, outsider) -> None:
    Client().post(reverse("accounts:login"), {"username": "nobody", "password": "x"})
    for persona in (officer, auditor):
        page = persona.client().get(reverse("audit:event-list"))
        assert page.status_code == 200
        assert "Failed login as &#x27;nobody&#x27;" in page.content.decode()
        assert persona.api().get(reverse("api:audit-event-list")).json()["count"] >= 1
    for persona in (owner, committee, outsider):
        assert persona.client().get(reverse("audit:event-list")).status_code == 403
        assert persona.api().get(reverse("api:audit-event-list")).status_code == 403


def test_the_export_is_itself_audited_and_defuses_formulas(auditor) -> None:
    Client().post(reverse("accounts:login"), {"username": "=cmd|calc", "password": "x"})
    response = auditor.client().get(reverse("audit:event-export") + "?kind=login_failed")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][rows[0].index("actor")] == "'=cmd|calc"
    assert AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD, actor=auditor.user).exists()


def test_rows_cannot_be_changed_or_deleted(officer) -> None:
    Client().post(reverse("accounts:login"), {"username": "officer", "password": "wrong"})
    before = AuditEvent.objects.count()
    for action in (
        lambda: AuditEvent.objects.update(summary="nothing happened"),
        lambda: AuditEvent.objects.all().delete(),
    ):
        with pytest.raises((IntegrityError, ProgrammingError), match="append-only"), transaction.atomic():
            action()
    assert AuditEvent.objects.count() == before
