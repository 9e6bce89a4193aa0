"""The evidence pack an auditor takes away and verifies offline (DESIGN.md, Verification; ISO/IEC 42001 9.1,
9.2, A.6.2.8): a ZIP written by the evidence app's `evidence.pack.build_pack`, with this framework's PDF as its
`summary.pdf`: the AIMS scope, the period, an extract of the SoA in force at its end, each control's
effectiveness over the period, and the sampling seed the pack's samples were drawn with.

The pack writer belongs to the evidence app; until it is installed, asking for a pack fails with a clear
message (the run is recorded as failed) rather than crashing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from aims.core.exceptions import ServiceError
from aims.governance.selectors import aims_scope
from aims.reports.kinds import control_effectiveness, soa
from aims.reports.kinds.base import AS_OF, DATE_TO, PERIOD, SEED, KindSpec, Params, Progress, period_of

PACK_UNAVAILABLE = "Evidence packs are not available on this deployment yet (evidence.pack is not installed)."


def pack_writer() -> Any:
    try:
        from evidence.pack import build_pack
    except ImportError:
        return None
    return build_pack


def last_signed_day() -> date:
    """Yesterday (UTC), once the grace after midnight has passed: a day is signed only once it is over."""
    try:
        from evidence.checkpoints import last_due_day
    except ImportError:
        from datetime import timedelta

        from django.utils import timezone

        return timezone.now().date() - timedelta(days=1)
    return last_due_day()


def build_context(params: Params, user: Any) -> dict[str, Any]:
    first, last = period_of(params)
    scope = aims_scope(user)
    rows, source = soa.soa_rows_as_of(user, last)
    controls = control_effectiveness.control_rows(params, user)
    return {
        "sections": [
            {"id": "scope", "title": "Scope and period"},
            {"id": "soa", "title": "Statement of Applicability (extract)"},
            {"id": "effectiveness", "title": "Control effectiveness"},
            {"id": "sampling", "title": "Sampling and verification"},
        ],
        "version": f"Evidence pack {first.isoformat()} to {last.isoformat()}",
        "scope": {
            "statement": scope.statement,
            "boundaries": scope.boundaries,
            "exclusions": scope.exclusions_justification,
            "in_scope": [s.name for s in scope.systems_in_scope.all()],
            "out_of_scope": [s.name for s in scope.systems_out_of_scope.all()],
        }
        if scope
        else None,
        "period": {"from": first, "to": last, "days": (last - first).days + 1},
        "soa_version": source["number"] if source else None,
        "soa": [
            {k: row[k] for k in ("ref", "title", "applies", "status", "status_label", "implementations")}
            for row in rows
        ],
        "controls": [
            {k: row[k] for k in ("code", "name", "status", "status_label", "failures", "totals", "requirements")}
            | {"results": len(row["results"])}
            for row in controls
        ],
        "seed": params.get(SEED),
    }


def assemble(*, params: Params, user: Any, summary_pdf: bytes, out: Path, progress: Progress | None) -> None:
    build_pack = pack_writer()
    if build_pack is None:
        raise ServiceError(PACK_UNAVAILABLE)
    build_pack(
        out=out,
        date_from=date.fromisoformat(params["date_from"]),
        date_to=date.fromisoformat(params[DATE_TO]),
        summary_pdf=summary_pdf,
        seed=params.get(SEED),
        progress=progress,
    )


KIND = KindSpec(
    key="evidence-pack",
    title="Evidence pack",
    description="A ZIP of the operating evidence for a period, verifiable offline, with a summary PDF.",
    template="reports/pdf/evidence_pack.html",
    build_context=build_context,
    params=(*PERIOD, SEED),
    permissions=(
        "reports.request_evidence_pack",
        "evidence.view_event",
        "controls.view_soaversion",
        "controls.view_controlimplementation",
        "controls.view_controlcheckresult",
    ),
    assemble=assemble,
    last_day=last_signed_day,
    last_day_reason=": a day is signed only once it is over",
    extension="zip",
    content_type="application/zip",
)

__all__ = ["AS_OF", "KIND", "PACK_UNAVAILABLE", "pack_writer"]
