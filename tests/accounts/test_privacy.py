"""Privacy by design: the decide endpoint stores and logs no raw text; a person's data can be exported and
erased, and erasure keeps decisions, history, the audit trail and the evidence chain whole."""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from aims.accounts import privacy, services
from aims.accounts.models import ApiToken, User, UserSession
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from aims.core import services as core_services
from evidence.verification import verify_source
from tests.accounts.helpers import post_login
from tests.evidence.helpers import decision as decision_event
from tests.evidence.helpers import post as post_events
from tests.factories import DecisionFactory
from tests.policies.factories import published_bundle, support_use_case
from tests.policies.helpers import decide

# Personal data a real prompt might carry: every piece must be absent from every table and every log line.
PII = {
    "name": "Bartholomew Quince-Featherstone",
    "email": "bart.quince@example.org",
    "phone": "+44 20 7946 0958",
    "nhs": "943 476 5919",
    "card": "4111 1111 1111 1111",
    "address": "221B Baker Street",
    "marker": "PRIV-MARKER-5c1d",
}


def _tables_containing(needles: list[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                text = " ".join(v.decode(errors="replace") if isinstance(v, bytes) else str(v) for v in row)
                for needle in needles:
                    if needle in text:
                        found.setdefault(needle, []).append(table)
    return found


def test_decide_stores_and_logs_no_raw_text_even_full_of_personal_data(ingestion, officer, committee, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    support_use_case()
    published_bundle(officer.user, committee.user)
    text = (
        f"Please summarise: {PII['name']} ({PII['email']}, {PII['phone']}), NHS {PII['nhs']}, lives at "
        f"{PII['address']}. Ref {PII['marker']}."
    )
    client = ingestion.api()
    redacted = decide(client, {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": text})
    assert redacted.status_code == 200
    blocked = decide(client, {"use_case": "support-summaries", "model": "gpt-4o-mini", "text": text + PII["card"]})
    assert blocked.json()["decision"] == "block"
    decide(client, {"use_case": "support-summaries", "model": "gpt-unapproved", "text": text})
    decide(client, {"use_case": ["bad"], "model": "gpt-4o-mini", "text": text})  # an error path

    # The detected entities were replaced in the reply; what was not detected (a name) comes back, as designed,
    # but is stored nowhere.
    assert PII["email"] not in redacted.json()["text"]
    needles = list(PII.values())
    assert _tables_containing(needles) == {}
    logged = caplog.text + " ".join(repr(r.args) + str(r.msg) for r in caplog.records)
    assert [n for n in needles if n in logged] == []


def test_the_export_holds_profile_roles_tokens_audit_events_and_decisions(officer, committee, administrator) -> None:
    services.create_api_token(user=officer.user, name="laptop", days=30)
    post_login(Client(), "officer", "wrong")
    decision = DecisionFactory(requested_by=officer.user)
    core_services.decide(decision=decision, user=committee.user, approve=True, rationale="fine")
    data = privacy.export_personal_data(user=officer.user, by=administrator.user)
    assert data["format"] == "aims-personal-data/1"
    assert data["profile"]["username"] == "officer" and data["profile"]["email"] == "officer@example.test"
    assert data["roles"] == ["Governance officer"]
    names = [t["name"] for t in data["api_tokens"]]
    assert "laptop" in names
    assert all(
        set(t) == {"name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"}
        for t in data["api_tokens"]
    )
    assert any(e["kind"] == AuditKind.LOGIN_FAILED for e in data["audit_events"])
    [made] = data["decisions"]
    assert made["id"] == decision.pk and made["as"] == ["requester"]
    assert "core.decision.requested_by" not in data["records_naming_this_person"]  # a section of its own
    json.dumps(data)  # JSON-ready as it is
    row = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD, details__action="personal_data_exported")
    assert row.actor == administrator.user and row.subject_id == str(officer.user.pk)


def test_privacy_export_command_writes_json(officer, tmp_path) -> None:
    out = StringIO()
    call_command("privacy_export", "officer", stdout=out)
    assert json.loads(out.getvalue())["profile"]["id"] == officer.user.pk
    target = tmp_path / "officer.json"
    call_command("privacy_export", str(officer.user.pk), "--output", str(target), stderr=StringIO())
    assert json.loads(target.read_text())["profile"]["username"] == "officer"
    with pytest.raises(CommandError, match="No account"):
        call_command("privacy_export", "nobody", stdout=StringIO())


def test_erasure_anonymises_the_account_and_ends_everything_it_could_do(officer, committee) -> None:
    browser = officer.client()
    assert browser.get(reverse("home")).status_code == 200
    _, key = services.create_api_token(user=officer.user, name="script", days=30)
    decision = DecisionFactory(requested_by=officer.user)
    core_services.decide(decision=decision, user=committee.user, approve=True, rationale="ok")
    pk = officer.user.pk

    User.objects.filter(pk=pk).update(sso_subject="idp-subject-1")
    call_command("privacy_erase", "officer", "--confirm", stdout=StringIO())

    user = User.objects.get(pk=pk)
    assert user.username == f"erased-{pk}" and user.is_erased and user.sso_subject is None
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.has_usable_password() and not user.is_active and not user.groups.exists()
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {key}").get(reverse("api:me")).status_code == 401
    assert browser.get(reverse("home")).status_code == 302
    assert post_login(Client(), "officer").status_code == 200  # the old name logs in nowhere
    # Records that named the person still resolve, now to the pseudonym.
    decision.refresh_from_db()
    assert str(decision.requested_by) == f"erased-{pk}"
    page = committee.client().get(reverse("core:decision-detail", kwargs={"pk": decision.pk})).content.decode()
    assert f"erased-{pk}" in page and "officer@example.test" not in page
    erased = AuditEvent.objects.get(details__action="personal_data_erased")
    assert erased.actor_label == "manage.py" and erased.subject_id == str(pk)
    assert "officer" not in erased.summary
    role_rows = AuditEvent.objects.filter(kind=AuditKind.ROLE_CHANGE, subject_id=str(pk)).order_by("-id")
    assert role_rows[0].summary.startswith(f"erased-{pk} removed from")


def test_erasure_needs_confirmation_and_is_not_repeated(officer) -> None:
    with pytest.raises(CommandError, match="add --confirm"):
        call_command("privacy_erase", "officer", stdout=StringIO())
    assert User.objects.get(pk=officer.user.pk).username == "officer"
    call_command("privacy_erase", "officer", "--confirm", stdout=StringIO())
    with pytest.raises(CommandError, match="already erased"):
        call_command("privacy_erase", str(officer.user.pk), "--confirm", stdout=StringIO())


def test_the_evidence_chain_still_verifies_after_its_sources_owner_is_erased(ingestion, evidence_source) -> None:
    response = post_events(ingestion.api(), [decision_event() for _ in range(3)])
    assert response.status_code == 202
    before = verify_source(evidence_source)
    assert before.ok and before.checked == 3
    owner_pk = evidence_source.owner_id
    privacy.erase_personal_data(user=evidence_source.owner, by="manage.py")
    evidence_source.refresh_from_db()
    assert str(evidence_source.owner) == f"erased-{owner_pk}"
    after = verify_source(evidence_source)
    assert after.ok and after.checked == 3
    out = StringIO()
    call_command("verify_evidence", stdout=out)
    assert "ok litellm-prod: 3 events" in out.getvalue()


def test_the_privacy_page_is_for_administrators_only(officer, administrator, auditor) -> None:
    for persona in (officer, auditor):
        assert persona.client().get(reverse("accounts:privacy")).status_code == 403
        export = persona.client().get(reverse("accounts:privacy-export", kwargs={"pk": officer.user.pk}))
        assert export.status_code == 403
    client = administrator.client()
    page = client.get(reverse("accounts:privacy"), {"username": "officer"})
    assert page.status_code == 200 and "Account #" in page.content.decode()
    export = client.get(reverse("accounts:privacy-export", kwargs={"pk": officer.user.pk}))
    assert export["Content-Disposition"].startswith("attachment;")
    assert json.loads(export.content)["profile"]["username"] == "officer"


def test_erasing_from_the_page_needs_the_username_typed(officer, administrator) -> None:
    client = administrator.client()
    url = reverse("accounts:privacy-erase", kwargs={"pk": officer.user.pk})
    refused = client.post(url, {"confirm": "someone else"})
    assert refused.status_code == 400
    assert User.objects.get(pk=officer.user.pk).username == "officer"
    assert client.post(url, {"confirm": "officer"}).status_code == 302
    assert User.objects.get(pk=officer.user.pk).is_erased
    row = AuditEvent.objects.get(details__action="personal_data_erased")
    assert row.actor == administrator.user


def test_an_administrator_cannot_erase_themselves(administrator) -> None:
    url = reverse("accounts:privacy-erase", kwargs={"pk": administrator.user.pk})
    response = administrator.client().post(url, {"confirm": "administrator"}, follow=True)
    assert "cannot erase your own account" in response.content.decode()
    assert not User.objects.get(pk=administrator.user.pk).is_erased
