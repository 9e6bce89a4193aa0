"""The per-source rate limit on the decide endpoint and OPA's decision-log intake (the ingestion's own limiter).

Every decision these endpoints record is evidence of the source, so they draw on the same per-minute budget
as `POST /api/evidence/v1/events`: a source over `rate_limit_per_minute` gets 429 with Retry-After, and
nothing is recorded for the refused request.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from evidence import services
from evidence.models import Event
from tests.evidence.helpers import decision as evidence_decision
from tests.policies.factories import published_bundle, support_use_case
from tests.policies.helpers import decide
from tests.policies.test_opa import DOCS_EXAMPLE, post

INGEST = "/api/evidence/v1/events"


@pytest.fixture(autouse=True)
def _fresh_counters():
    # The budget is counted in the shared cache per source and minute; start each test from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def opa_urls(settings) -> None:
    settings.ROOT_URLCONF = "tests.policies.urls_opa"


@pytest.fixture
def bundle(officer, committee):
    support_use_case()
    return published_bundle(officer.user, committee.user)


def _limit(source, per_minute: int) -> None:
    source.rate_limit_per_minute = per_minute
    source.save()


def _body(use_case: str = "support-summaries") -> dict[str, str]:
    return {"use_case": use_case, "model": "gpt-4o-mini", "text": "hello"}


def test_decide_answers_429_with_retry_after_once_the_source_is_over_its_rate(
    ingestion, evidence_source, bundle
) -> None:
    _limit(evidence_source, 2)
    client = ingestion.api()
    assert [decide(client, _body()).status_code for _ in range(2)] == [200, 200]
    refused = decide(client, _body())
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    assert Event.objects.filter(source=evidence_source).count() == 2  # the refused decision recorded nothing


def test_decide_under_the_rate_is_not_throttled(ingestion, evidence_source, bundle) -> None:
    _limit(evidence_source, 100)
    assert all(decide(ingestion.api(), _body()).status_code == 200 for _ in range(5))


def test_opa_logs_answer_429_with_retry_after_once_the_source_is_over_its_rate(
    opa_urls, ingestion, evidence_source
) -> None:
    _limit(evidence_source, 1)
    first = post(ingestion.api(), DOCS_EXAMPLE)
    assert first.status_code == 202, first.content
    refused = post(ingestion.api(), DOCS_EXAMPLE)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"


def test_decide_ingestion_and_opa_share_one_budget_per_source(ingestion, evidence_source, bundle) -> None:
    _limit(evidence_source, 3)
    client = ingestion.api()
    ingested = client.post(INGEST, [evidence_decision(), evidence_decision()], format="json")
    assert ingested.status_code == 202
    assert decide(client, _body()).status_code == 200
    assert decide(client, _body()).status_code == 429


def test_a_throttled_source_does_not_throttle_another(ingestion, evidence_source, bundle, officer) -> None:
    _limit(evidence_source, 1)
    other = services.create_source(
        user=officer.user, name="other-gw", owner=officer.user, rate_limit_per_minute=100, check_permission=False
    )
    _, key = services.issue_source_token(source=other, user=officer.user, check_permission=False)
    assert decide(ingestion.api(), _body()).status_code == 200
    assert decide(ingestion.api(), _body()).status_code == 429
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert decide(client, _body()).status_code == 200
