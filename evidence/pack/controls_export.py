"""What the pack says about each control over the period: its implementations, check results and status.

ISO/IEC 42001 6.1.3 d (SoA) and 9.1 (monitoring results). One row per SoA control (an Annex A control or one the
organisation added), read once and shared by the CSV files and the OSCAL document, so both say the same thing.
The status is the portal's own rule (controls.status) applied at the end of the period, over the results and
artifacts known then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from controls.choices import CheckOutcome, ControlStatus, RequirementKind, RequirementStatus
from controls.models import (
    ControlCheckResult,
    ControlImplementation,
    ImplementationRequirement,
    Requirement,
    SoAEntry,
)
from controls.status import ArtifactFact, ResultFact, control_status
from evidence.models import EvidenceArtifact

RESULT_HEADER = [
    "control",
    "implementation",
    "implementation_name",
    "implementation_status",
    "metric",
    "period_start",
    "period_end",
    "value",
    "target",
    "outcome",
    "source",
    "recorded_at",
]
INDEX_HEADER = ["control", "title", "annex_a", "applies", "status", "implementations", "results", "passed", "failed"]


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """The period as instants: from the first day's midnight UTC up to (excluding) the day after the last."""
    return datetime.combine(date_from, time.min, tzinfo=UTC), datetime.combine(
        date_to + timedelta(days=1), time.min, tzinfo=UTC
    )


@dataclass
class ControlRecord:
    ref: str
    title: str
    annex_a: bool
    applies: bool
    justification: str
    implementations: list[ControlImplementation]
    results: list[ControlCheckResult] = field(default_factory=list)
    artifacts: list[EvidenceArtifact] = field(default_factory=list)
    status: ControlStatus = ControlStatus.NOT_EVIDENCED

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.outcome == CheckOutcome.PASS)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.outcome == CheckOutcome.FAIL)

    @property
    def file_name(self) -> str:
        return "".join(c if c.isalnum() or c in ".-_" else "_" for c in self.ref) + ".csv"


def control_records(date_from: date, date_to: date) -> list[ControlRecord]:
    """Every Annex A control and added control, with its implementations, the check results of the period
    (those whose measured period overlaps it), the artifacts in force during it, and its status at its end."""
    start, end = period_bounds(date_from, date_to)
    entries = {e.requirement_id: e for e in SoAEntry.objects.filter(requirement__isnull=False)}
    by_requirement: dict[int, list[ControlImplementation]] = defaultdict(list)
    for link in (
        ImplementationRequirement.objects.select_related("implementation")
        .filter(requirement__framework__slug="iso42001", requirement__kind=RequirementKind.CONTROL)
        .order_by("implementation__code")
    ):
        by_requirement[link.requirement_id].append(link.implementation)
    records = []
    annex_a = Requirement.objects.filter(
        framework__slug="iso42001", kind=RequirementKind.CONTROL, status=RequirementStatus.ACTIVE
    ).order_by("position")
    for requirement in annex_a:
        entry = entries.get(requirement.pk)
        records.append(
            ControlRecord(
                ref=requirement.ref,
                title=requirement.title,
                annex_a=True,
                applies=entry.applies if entry else True,
                justification=entry.justification if entry else "",
                implementations=by_requirement.get(requirement.pk, []),
            )
        )
    for entry in SoAEntry.objects.filter(added_control__isnull=False).select_related("added_control"):
        control = entry.added_control
        records.append(ControlRecord(control.code, control.name, False, entry.applies, entry.justification, [control]))

    results: dict[int, list[ControlCheckResult]] = defaultdict(list)
    for result in (
        ControlCheckResult.objects.filter(period_start__lt=end, period_end__gte=start)
        .select_related("implementation")
        .order_by("period_end", "id")
    ):
        results[result.implementation_id].append(result)
    artifacts: dict[int, list[EvidenceArtifact]] = defaultdict(list)
    in_force = EvidenceArtifact.objects.filter(effective_on__lte=date_to, expires_on__gte=date_from)
    for artifact in in_force.prefetch_related("implementations", "files").order_by("effective_on", "id"):
        for implementation in artifact.implementations.all():
            artifacts[implementation.pk].append(artifact)

    for record in records:
        ids = [i.pk for i in record.implementations]
        record.results = sorted(
            (r for pk in ids for r in results.get(pk, [])), key=lambda r: (r.period_end, r.implementation_id, r.pk)
        )
        seen: dict[int, EvidenceArtifact] = {}
        for pk in ids:
            for artifact in artifacts.get(pk, []):
                seen.setdefault(artifact.pk, artifact)
        record.artifacts = list(seen.values())
        record.status = control_status(
            applies=record.applies,
            results=[ResultFact(r.implementation_id, r.metric, r.period_end, r.outcome) for r in record.results],
            artifacts=[ArtifactFact(a.effective_on, a.expires_on) for a in record.artifacts],
            now=end - timedelta(microseconds=1),
        )
    return records


def result_rows(record: ControlRecord) -> list[list[object]]:
    rows: list[list[object]] = []
    with_results = {r.implementation_id for r in record.results}
    for result in record.results:
        implementation = result.implementation
        rows.append(
            [
                record.ref,
                implementation.code,
                implementation.name,
                implementation.status,
                result.metric,
                result.period_start,
                result.period_end,
                result.value,
                result.target,
                result.outcome,
                result.source,
                result.recorded_at,
            ]
        )
    for implementation in record.implementations:
        if implementation.pk not in with_results:
            # An implementation without any result in the period still belongs on the control's sheet.
            rows.append(
                [record.ref, implementation.code, implementation.name, implementation.status]
                + [""] * 5
                + ["no result", "", ""]
            )
    return rows


def index_row(record: ControlRecord) -> list[object]:
    return [
        record.ref,
        record.title,
        record.annex_a,
        record.applies,
        record.status.value,
        " ".join(i.code for i in record.implementations),
        len(record.results),
        record.passed,
        record.failed,
    ]
