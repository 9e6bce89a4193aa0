"""AI objectives and their measures (ISO/IEC 42001 6.2, 9.1): each objective with its target, owner, due date
and status, and each KPI with its target, current value, whether it is met and its latest measurements."""

from __future__ import annotations

from typing import Any

from aims.governance.models import Kpi, KpiMeasurement, Objective
from aims.governance.selectors import records_for
from aims.reports.kinds.base import KindSpec, Params, username


def build_context(params: Params, user: Any) -> dict[str, Any]:
    objectives = []
    for objective in records_for(Objective, user).select_related("owner").order_by("due_on", "title"):
        kpis = []
        for kpi in records_for(Kpi, user).filter(objective=objective).order_by("name"):
            measurements = records_for(KpiMeasurement, user).filter(kpi=kpi).order_by("-measured_on")[:6]
            kpis.append(
                {
                    "name": kpi.name,
                    "source": kpi.get_source_display(),
                    "metric": kpi.metric_name,
                    "target": f"{kpi.get_direction_display()} {kpi.target_value.normalize():f} {kpi.unit}".strip(),
                    "current": f"{kpi.current_value.normalize():f} {kpi.unit}".strip()
                    if kpi.current_value is not None
                    else "",
                    "met": kpi.met,
                    "measurements": [
                        {"on": m.measured_on, "value": f"{m.value.normalize():f}", "note": m.note}
                        for m in measurements
                    ],
                }
            )
        progress = objective.progress
        objectives.append(
            {
                "title": objective.title,
                "description": objective.description,
                "owner": username(objective.owner),
                "target": objective.target,
                "due_on": objective.due_on,
                "status": objective.get_status_display(),
                "progress": f"{progress:.0f} %" if progress is not None else "",
                "kpis": kpis,
            }
        )
    return {
        "sections": [{"id": "summary", "title": "Summary"}, {"id": "objectives", "title": "Objectives and KPIs"}],
        "objectives": objectives,
        "kpis_met": sum(1 for o in objectives for k in o["kpis"] if k["met"]),
        "kpis": sum(len(o["kpis"]) for o in objectives),
    }


KIND = KindSpec(
    key="objectives",
    title="AI objectives",
    description="Objectives with their KPIs, targets, measurements and progress.",
    template="reports/pdf/objectives.html",
    build_context=build_context,
    permissions=("governance.view_objective", "governance.view_kpi", "governance.view_kpimeasurement"),
)
