"""The seam the evidence pack writer calls for its summary.pdf when no caller gave one (evidence/pack/builder.py,
SUMMARY_RENDERER): the evidence-pack kind's PDF for the period, read with every read right."""

from __future__ import annotations

from datetime import date
from typing import Any

from aims.reports import kinds, rendering
from aims.reports.kinds.base import DATE_FROM, DATE_TO, SEED, SystemReader


def render_summary(*, date_from: date, date_to: date, seed: int | None = None, user: Any = None) -> bytes:
    spec = kinds.get("evidence-pack")
    assert spec is not None
    params: dict[str, Any] = {DATE_FROM: date_from.isoformat(), DATE_TO: date_to.isoformat(), SEED: seed}
    return rendering.render(spec, params, user or SystemReader(), reference="evidence pack summary").pdf
