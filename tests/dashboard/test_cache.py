"""The dashboard's rendered panels are kept per reader and period for a short time, and new evidence shows at
once: expansion moves a chain head, which is part of the cache key. A time to live of 0 turns the cache off."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aims.dashboard.forms import last_days
from aims.dashboard.views import panels_cache_key
from evidence.models import EvidenceSource
from tests.dashboard.factories import rollup
from tests.evidence.helpers import decision, post


def _decisions(html: str) -> str:
    marker = '<span class="kpi-value">'
    start = html.index(marker) + len(marker)
    return html[start : html.index("</span>", start)]


@pytest.fixture
def panel_cache(settings):
    settings.AIMS_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_panels_are_reused_until_new_evidence_is_expanded(panel_cache, officer, ingestion, owned_system, today):
    client = officer.client()
    first = client.get("/dashboard/").content.decode()
    assert _decisions(first) == "0" and "recomputed at most every 60 seconds" in first
    # A rollup written behind the cache's back (as a rebuild would) waits for the time to live.
    rollup(EvidenceSource.objects.get(name="litellm-prod"), today, events=7)
    assert _decisions(client.get("/dashboard/").content.decode()) == "0"
    # Expansion moves the chain head: the next request recomputes, with the posted event too.
    assert post(ingestion.api(), [decision()]).status_code == 202
    assert _decisions(client.get("/dashboard/").content.decode()) == "8"


@pytest.mark.django_db
def test_each_reader_gets_their_own_panels(panel_cache, officer, committee, owned_system) -> None:
    period = last_days(30)
    officer.client().get("/dashboard/")
    assert cache.get(panels_cache_key(officer.user.pk, period)) is not None
    assert cache.get(panels_cache_key(committee.user.pk, period)) is None
    committee.client().get("/dashboard/")
    assert cache.get(panels_cache_key(committee.user.pk, period)) is not None


@pytest.mark.django_db
def test_a_zero_time_to_live_turns_the_cache_off(settings, officer, evidence_source, owned_system, today):
    settings.AIMS_DASHBOARD_CACHE_SECONDS = 0
    client = officer.client()
    assert client.get("/dashboard/").context["enforcement"]["figures"].total == 0
    rollup(evidence_source, today, events=7)
    assert client.get("/dashboard/").context["enforcement"]["figures"].total == 7


@pytest.mark.django_db
def test_a_system_page_is_cached_per_system_and_shows_new_evidence(panel_cache, officer, ingestion, owned_system):
    client = officer.client()
    url = f"/dashboard/systems/{owned_system.pk}/"
    first = client.get(url).content.decode()
    assert "Support assistant" in first and "recomputed at most every 60 seconds" in first
    assert _decisions(first) == "0"
    assert post(ingestion.api(), [decision(), decision()]).status_code == 202
    assert _decisions(client.get(url).content.decode()) == "2"
