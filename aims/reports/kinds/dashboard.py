"""The dashboard as a PDF (ISO/IEC 42001 9.1, 9.3): the same panels as the dashboard page, for the period, read
through `aims.dashboard.selectors.dashboard_context` (the dashboard app's single read path) and rendered with its
own `dashboard/_panels.html`. The panels hold model objects, so the template receives them as they are
(`raw`); the hashed data is their readable form, without the moment of generation."""

from __future__ import annotations

from typing import Any

from aims.reports.kinds.base import PERIOD, RAW, KindSpec, Params, period_of


def _readable(value: Any) -> Any:
    """The panels as plain data for the hash: objects by their names, SVG charts left out (their figures are in
    the tables next to them)."""
    if isinstance(value, dict):
        return {str(k): _readable(v) for k, v in value.items() if "chart" not in str(k) and k != "svg"}
    if isinstance(value, list | tuple):
        return [_readable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def build_context(params: Params, user: Any) -> dict[str, Any]:
    from aims.dashboard.selectors import dashboard_context

    first, last = period_of(params)
    panels = dashboard_context(user, first, last)
    readable = {k: _readable(v) for k, v in panels.items() if k not in {"generated_at", "period"}}
    return {
        "sections": [{"id": "dashboard", "title": "The management system at a glance"}],
        "panels": readable,
        RAW: panels,
    }


KIND = KindSpec(
    key="dashboard",
    title="Dashboard",
    description="The dashboard's panels for a period: controls, risks, enforcement, sources, objectives, issues.",
    template="reports/pdf/dashboard.html",
    build_context=build_context,
    params=PERIOD,
    permissions=("dashboard.view_dashboard",),
)
