"""The CI smoke of `manage.py bench_dashboard`: a small store seeded through the expansion path, then timed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from evidence.models import Event, Rollup


@pytest.mark.django_db
def test_bench_dashboard_seeds_through_expansion_and_prints_its_figures(owned_system, officer) -> None:
    out = StringIO()
    call_command("bench_dashboard", events=1500, days=2, iterations=2, warmup=1, stdout=out)
    lines = dict(line.split(": ", 1) for line in out.getvalue().splitlines() if ": " in line)
    assert Event.objects.count() == 1500
    assert sum(Rollup.objects.filter(granularity="day").values_list("events", flat=True)) == 1500
    for name in ("dashboard", "dashboard_cached", "system_page", "system_page_cached"):
        assert float(lines[f"{name}_p50_ms"]) > 0 and float(lines[f"{name}_p95_ms"]) > 0
        assert int(lines[f"{name}_queries"]) > 0
        assert lines[f"{name}_event_table_queries"] == "0"
