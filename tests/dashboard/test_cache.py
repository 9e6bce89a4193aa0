"""The dashboard's rendered panels are kept per reader and period for a short time (AIMS_DASHBOARD_CACHE_SECONDS),
so reloads cost one cache read even while gateways report continuously; the page says as of when. A time to live
of 0 turns the cache off."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from aims.dashboard.forms import last_days
from aims.dashboard.views import panels_cache_key
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
def test_panels_are_reused_within_the_time_to_live(panel_cache, officer, ingestion, owned_system, today) -> None:
    client = officer.client()
    first = client.get("/dashboard/").content.decode()
    assert _decisions(first) == "0" and "recomputed when older than 60 seconds" in first
    assert post(ingestion.api(), [decision()]).status_code == 202
    assert _decisions(client.get("/dashboard/").content.decode()) == "0"
    # Another period is another entry; and once the entry is gone, the figures are recomputed.
    assert _decisions(client.get("/dashboard/", {"days": "7"}).content.decode()) == "1"
    cache.clear()
    assert _decisions(client.get("/dashboard/").content.decode()) == "1"


@pytest.mark.django_db
def test_each_reader_gets_their_own_panels(panel_cache, officer, committee, owned_system) -> None:
    period = last_days(30)
    officer.client().get("/dashboard/")
    assert cache.get(panels_cache_key(officer.user.pk, period)) is not None
    assert cache.get(panels_cache_key(committee.user.pk, period)) is None
    committee.client().get("/dashboard/")
    assert cache.get(panels_cache_key(committee.user.pk, period)) is not None


@pytest.mark.django_db
def test_a_system_page_is_cached_per_reader_and_system(panel_cache, officer, ingestion, owned_system) -> None:
    client = officer.client()
    url = f"/dashboard/systems/{owned_system.pk}/"
    first = client.get(url).content.decode()
    assert "Support assistant" in first and _decisions(first) == "0"
    assert cache.get(f"{panels_cache_key(officer.user.pk, last_days(30))}:system:{owned_system.pk}") is not None
    assert post(ingestion.api(), [decision(), decision()]).status_code == 202
    assert _decisions(client.get(url).content.decode()) == "0"
    cache.clear()
    assert _decisions(client.get(url).content.decode()) == "2"


@pytest.mark.django_db
def test_a_zero_time_to_live_turns_the_cache_off(settings, officer, evidence_source, owned_system, today) -> None:
    settings.AIMS_DASHBOARD_CACHE_SECONDS = 0
    client = officer.client()
    assert client.get("/dashboard/").context["enforcement"]["figures"].total == 0
    rollup(evidence_source, today, events=7)
    assert client.get("/dashboard/").context["enforcement"]["figures"].total == 7
