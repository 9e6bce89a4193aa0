"""The evidence explorer's pages: filtering events (bounded by a period), an event's chain position and
verification state, the audited CSV export, and the signing key's fingerprint on the sources page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from evidence import checkpoints
from evidence.models import Event
from tests.evidence.checkpoint_helpers import (
    at,
    days_ago,
    ingest_on,
    key_file,  # noqa: F401  autouse: a fresh signing key, no sinks
    tamper,
)
from tests.evidence.helpers import decision, heartbeat

EVENTS = reverse("evidence:event-list")
EXPORT = reverse("evidence:event-export")


@pytest.fixture
def traffic(evidence_source):
    """Three days of varied events: chain indexes 0-1 ten days ago, 2-5 two days ago, 6-7 an hour ago."""
    ingest_on(evidence_source, at(days_ago(10)), [decision(use_case="hr-screening"), decision()])
    ingest_on(
        evidence_source,
        at(days_ago(2)),
        [
            decision(decision="block", model={"requested": "gpt-4o", "used": "", "provider": "x", "region": "eu"}),
            decision(
                decision="allow",
                policy={"bundle": "northwind", "revision": "ab" * 32, "rule_ids": ["model.allowlist"]},
                # The same id in a reason only must not match a rule filter on policy.rule_ids.
                reasons=[{"code": "other", "rule_id": "pii.block"}],
            ),
            decision(),
            heartbeat(seq=9),
        ],
    )
    ingest_on(evidence_source, datetime.now(UTC) - timedelta(hours=1), [decision(), decision(decision="block")])
    return evidence_source


def indexes(response) -> list[int]:
    return sorted(e.chain_index for e in response.context["page"])


def test_the_events_page_defaults_to_the_last_seven_days(traffic, auditor) -> None:
    response = auditor.client().get(EVENTS)
    assert response.status_code == 200
    assert indexes(response) == [2, 3, 4, 5, 6, 7]
    assert response.context["period"]["field"] == "received"


def test_events_filter_by_source_use_case_model_decision_and_period(traffic, officer) -> None:
    client = officer.client()
    since = days_ago(30).isoformat()
    assert indexes(client.get(EVENTS, {"date_from": since})) == list(range(8))
    assert indexes(client.get(EVENTS, {"date_from": since, "use_case": "hr-screening"})) == [0]
    assert indexes(client.get(EVENTS, {"model": "gpt-4o"})) == [2]
    assert indexes(client.get(EVENTS, {"decision": "block"})) == [2, 7]
    assert indexes(client.get(EVENTS, {"kind": "heartbeat"})) == [5]
    assert indexes(client.get(EVENTS, {"source": "litellm-prod", "date_to": days_ago(2).isoformat()})) == [2, 3, 4, 5]
    day = days_ago(10).isoformat()
    assert indexes(client.get(EVENTS, {"date_from": day, "date_to": day})) == [0, 1]
    assert indexes(client.get(EVENTS, {"period": "occurred", "date_from": days_ago(2).isoformat()})) == list(
        range(2, 8)
    )


def test_the_rule_filter_matches_policy_rule_ids_exactly(traffic, officer) -> None:
    client = officer.client()
    assert indexes(client.get(EVENTS, {"rule": "model.allowlist"})) == [3]
    assert indexes(client.get(EVENTS, {"rule": "pii.redact"})) == [2, 4, 6, 7]
    assert indexes(client.get(EVENTS, {"rule": "pii.block"})) == []  # only in a reason
    assert indexes(client.get(EVENTS, {"rule": "pii"})) == []  # no partial match


def test_bad_filters_answer_400_and_never_widen_the_list(traffic, officer) -> None:
    client = officer.client()
    assert client.get(EVENTS, {"decision": "maybe"}).status_code == 400
    assert client.get(EVENTS, {"source": "no-such-source"}).status_code == 400
    wrong_order = client.get(EVENTS, {"date_from": days_ago(1).isoformat(), "date_to": days_ago(3).isoformat()})
    assert wrong_order.status_code == 400
    assert client.get(EVENTS, {"date_from": "yesterday"}).status_code == 400
    assert client.get(EVENTS, {"period": "occurred", "date_from": "0001-01-01"}).status_code == 400
    assert client.get(EVENTS, {"date_to": "9999-12-31"}).status_code == 400
    assert client.get(EXPORT, {"decision": "maybe"}).status_code == 400


def test_the_events_page_is_paginated(evidence_source, committee) -> None:
    ingest_on(evidence_source, datetime.now(UTC) - timedelta(hours=2), [decision() for _ in range(55)])
    first = committee.client().get(EVENTS)
    second = committee.client().get(EVENTS, {"page": 2})
    assert len(first.context["page"]) == 50
    assert first.context["page"].paginator.count == 55
    assert indexes(second) == list(range(5))


def test_an_event_page_shows_its_envelope_chain_position_and_pending_checkpoint(traffic, auditor) -> None:
    event = Event.objects.get(source=traffic, chain_index=7)
    response = auditor.client().get(reverse("evidence:event-detail", args=["litellm-prod", 7]))
    assert response.status_code == 200
    page = response.content.decode()
    assert event.leaf_hash in page and event.event_hash in page
    assert Event.objects.get(source=traffic, chain_index=6).event_hash in page  # previous hash
    assert "not yet checkpointed" in page
    assert response.context["verification"].ok
    assert [c.ok for c in response.context["verification"].checks] == [True, True, True, None]


def test_a_checkpointed_event_shows_its_verified_checkpoint(traffic, auditor) -> None:
    checkpoints.sign_due_checkpoints()
    response = auditor.client().get(reverse("evidence:event-detail", args=["litellm-prod", 3]))
    verification = response.context["verification"]
    assert verification.checkpoint.day == days_ago(2)
    assert [c.ok for c in verification.checks] == [True, True, True, True]
    assert checkpoints.current_fingerprint() in response.content.decode()


def test_a_tampered_event_shows_as_failing_on_its_page(traffic, auditor) -> None:
    checkpoints.sign_due_checkpoints()
    tamper("evidence_event", "UPDATE evidence_event SET event_hash = %s WHERE chain_index = 3", ["cd" * 32])

    response = auditor.client().get(reverse("evidence:event-detail", args=["litellm-prod", 3]))

    checks = {c.name: c.ok for c in response.context["verification"].checks}
    assert checks == {"Canonical envelope": True, "Leaf hash": True, "Chain link": False, "Signed checkpoint": False}
    assert "does not verify" in response.content.decode()


def test_an_unknown_event_is_404(traffic, auditor) -> None:
    assert auditor.client().get(reverse("evidence:event-detail", args=["litellm-prod", 99])).status_code == 404
    assert auditor.client().get(reverse("evidence:event-detail", args=["nope", 1])).status_code == 404


def test_the_csv_export_holds_the_filtered_events_and_is_audited(traffic, officer) -> None:
    response = officer.client().get(EXPORT, {"decision": "block"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="evidence-events.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["source", "chain_index", "received_at"]
    assert [r[1] for r in rows[1:]] == ["2", "7"]
    assert rows[1][rows[0].index("rule_ids")] == "pii.redact"
    download = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert download.actor == officer.user
    assert download.details["filters"] == {"decision": "block"}


def test_the_csv_export_defuses_formulas(evidence_source, officer) -> None:
    ingest_on(evidence_source, datetime.now(UTC) - timedelta(minutes=30), [decision(use_case="=HYPERLINK(1)")])
    body = b"".join(officer.client().get(EXPORT).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_the_sources_page_shows_the_signing_key_fingerprint(evidence_source, committee) -> None:
    response = committee.client().get(reverse("evidence:index"))
    assert checkpoints.current_fingerprint() in response.content.decode()
    assert checkpoints.current_fingerprint().startswith("SHA256:")


def test_the_fingerprint_template_tag_renders_the_current_key(evidence_source) -> None:
    from django.template import Context, Template

    rendered = Template("{% load evidence_keys %}{% signing_key_fingerprint %}").render(Context())
    assert rendered == checkpoints.current_fingerprint()


def test_the_source_page_lists_its_checkpoints(traffic, owner) -> None:
    checkpoints.sign_due_checkpoints()
    response = owner.client().get(reverse("evidence:source-detail", args=["litellm-prod"]))
    assert [c.day for c in response.context["checkpoints"]][:2] == [days_ago(1), days_ago(2)]


def test_people_without_evidence_roles_cannot_explore(traffic, outsider) -> None:
    client = outsider.client()
    assert client.get(EVENTS).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(reverse("evidence:event-detail", args=["litellm-prod", 1])).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD).exists()


def test_an_expired_auditor_is_sent_to_log_in(traffic, expired_auditor) -> None:
    assert expired_auditor.client().get(EVENTS).status_code == 302
