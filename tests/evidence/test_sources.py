"""Evidence sources: registration, tokens shown once and rotated, and the health page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from aims.core.tokens import hash_token
from evidence.models import EvidenceSource, SourceToken
from tests.evidence.helpers import decision, heartbeat, post


def test_an_officer_registers_a_source_and_sees_its_token_once(officer) -> None:
    response = officer.client().post(
        reverse("evidence:source-create"),
        {
            "name": "litellm-eu",
            "description": "EU proxy",
            "owner": officer.user.pk,
            "heartbeat_seconds": 60,
            "rate_limit_per_minute": 1000,
        },
    )
    assert response.status_code == 200
    key = response.context["key"]
    source = EvidenceSource.objects.get(name="litellm-eu")
    assert SourceToken.objects.get(source=source).key_hash == hash_token(key)
    detail = officer.client().get(reverse("evidence:source-detail", kwargs={"name": "litellm-eu"}))
    assert key not in detail.content.decode()
    history = source.history.latest()
    assert (history.history_user, history.history_change_reason) == (officer.user, "Source registered")


def test_a_bad_registration_is_shown_again_with_messages(officer) -> None:
    response = officer.client().post(
        reverse("evidence:source-create"), {"name": "Not A Slug!", "heartbeat_seconds": 0}
    )
    assert response.status_code == 400
    assert {"name", "owner", "heartbeat_seconds"} <= set(response.context["form"].errors)
    assert not EvidenceSource.objects.exists()


def test_a_token_can_be_rotated_and_the_old_one_revoked(officer, evidence_source, ingestion) -> None:
    response = officer.client().post(reverse("evidence:token-issue", kwargs={"name": "litellm-prod"}), {"name": "v2"})
    new_key = response.context["key"]
    old = SourceToken.objects.get(source=evidence_source, name="gateway")
    officer.client().post(reverse("evidence:token-revoke", kwargs={"name": "litellm-prod", "pk": old.pk}))
    assert post(ingestion.api(), [decision()]).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {new_key}")
    assert post(client, [decision()]).status_code == 202


def test_the_health_page_shows_last_seen_events_today_and_gaps(auditor, ingestion, evidence_source) -> None:
    post(ingestion.api(), [decision(producer_seq=1), heartbeat(seq=4)])
    page = auditor.client().get(reverse("evidence:index"))
    [health] = page.context["health"]
    assert health.events_today == 2
    assert health.last_seen_at is not None
    assert health.sequence_holes == 2
    assert health.gaps == 2
    detail = auditor.client().get(reverse("evidence:source-detail", kwargs={"name": "litellm-prod"}))
    assert "gw-1" in detail.content.decode()


def test_a_node_silent_for_longer_than_its_heartbeat_is_a_gap(auditor, ingestion, evidence_source) -> None:
    from datetime import UTC, datetime, timedelta

    old = (datetime.now(UTC) - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    post(ingestion.api(), [heartbeat(seq=1, occurred_at=old)])
    [health] = auditor.client().get(reverse("evidence:index")).context["health"]
    assert [n.node_id for n in health.silent_nodes] == ["gw-1"]


def test_an_auditor_cannot_register_or_rotate(auditor, evidence_source) -> None:
    assert auditor.client().get(reverse("evidence:source-create")).status_code == 403
    response = auditor.client().post(reverse("evidence:token-issue", kwargs={"name": "litellm-prod"}), {"name": "x"})
    assert response.status_code == 403
    assert SourceToken.objects.filter(source=evidence_source).count() == 0


def test_create_evidence_source_prints_a_working_token_last(officer) -> None:
    out = StringIO()
    call_command("create_evidence_source", "gw-cli", "--owner", "officer", stdout=out, stderr=StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert post(client, [decision()]).status_code == 202
    # Running it again for the same source issues a second token for rotation, not a second source.
    call_command("create_evidence_source", "gw-cli", "--owner", "officer", stdout=StringIO(), stderr=StringIO())
    assert EvidenceSource.objects.filter(name="gw-cli").count() == 1
    assert SourceToken.objects.filter(source__name="gw-cli").count() == 2


def test_create_evidence_source_rejects_a_bad_name_or_owner(officer) -> None:
    with pytest.raises(CommandError):
        call_command("create_evidence_source", "Bad Name", "--owner", "officer", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("create_evidence_source", "gw", "--owner", "nobody", stdout=StringIO(), stderr=StringIO())


def test_a_source_names_the_use_cases_it_serves_and_keeps_them_in_history(officer) -> None:
    from tests.registry.factories import UseCaseFactory

    chat, scoring = UseCaseFactory(key="support-chat"), UseCaseFactory(key="credit-scoring")
    response = officer.client().post(
        reverse("evidence:source-create"),
        {
            "name": "gw-uc",
            "owner": officer.user.pk,
            "heartbeat_seconds": 60,
            "rate_limit_per_minute": 1000,
            "use_cases": [chat.pk, scoring.pk],
        },
    )
    assert response.status_code == 200
    source = EvidenceSource.objects.get(name="gw-uc")
    assert set(source.use_cases.values_list("key", flat=True)) == {"support-chat", "credit-scoring"}
    page = officer.client().get(reverse("evidence:source-detail", kwargs={"name": "gw-uc"}))
    assert "credit-scoring" in page.content.decode()
