"""Writes of the control catalog. Framework data is governed: every write sets the history user and reason.

`load_frameworks` upserts the catalog from the data files. It is idempotent: a row is saved only when one of
its fields changed, so loading the same data twice makes no history rows; a requirement or link that a newer
version no longer has is marked withdrawn, never deleted, because implementations and SoA versions point at it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from aims.core import services as core_services
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, NotAllowed, ServiceError
from aims.core.models import Decision
from controls.choices import CheckOutcome, ImplementationStatus, RequirementKind, RequirementStatus
from controls.loader import DATA_DIR, Catalog, FrameworkSpec, parse_catalog
from controls.models import (
    ControlCheckResult,
    ControlImplementation,
    CrosswalkLink,
    EnforcementMetric,
    Framework,
    ImplementationRequirement,
    Requirement,
    RequirementMetric,
    SoAEntry,
    SoAVersion,
)


@dataclass
class LoadReport:
    """What one load did, counted per kind of row; the command prints it and tests read it."""

    version: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    withdrawn: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)

    def summary(self) -> str:
        def fmt(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"

        return (
            f"catalog {self.version}: created {fmt(self.created)}; updated {fmt(self.updated)}; "
            f"withdrawn {fmt(self.withdrawn)}"
        )


def _reason(version: str) -> str:
    return f"load_frameworks {version}"[:100]


def _save(obj: models.Model, *, reason: str) -> None:
    obj.full_clean()
    # The data file is the author of catalog rows, not a person; the reason names the data version.
    obj._history_user = None  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]
    obj.save()


def _upsert(
    existing: models.Model | None,
    model: type[models.Model],
    values: dict[str, Any],
    *,
    reason: str,
    report: LoadReport,
) -> models.Model:
    """Create the row, or change only the fields that differ; an unchanged row is not saved (no history row)."""
    label = model._meta.model_name
    if existing is None:
        obj = model(**values)
        _save(obj, reason=reason)
        report.count("created", label)
        return obj
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        _save(existing, reason=reason)
        report.count("updated", label)
    return existing


@transaction.atomic
def load_frameworks(*, data_dir: Path = DATA_DIR, catalog: Catalog | None = None) -> LoadReport:
    """Load (or update) every framework, the crosswalk and the enforcement metrics from the data files."""
    catalog = catalog or parse_catalog(data_dir)
    report = LoadReport(version=catalog.version)
    catalog_reason = _reason(catalog.version)

    metrics = _load_metrics(catalog, reason=catalog_reason, report=report)
    requirements: dict[tuple[str, str], Requirement] = {}
    for spec in catalog.frameworks:
        _, rows = _load_framework(spec, report=report)
        requirements |= {(spec.slug, ref): row for ref, row in rows.items()}
        _load_requirement_metrics(spec, rows, metrics, reason=_reason(spec.version), report=report)
    _load_links(catalog, requirements, reason=catalog_reason, report=report)
    # Every Annex A control gets its SoA row as soon as the catalog has it (6.1.3 d compares with all of them).
    sync_soa_entries(user=None)
    return report


def _load_metrics(catalog: Catalog, *, reason: str, report: LoadReport) -> dict[str, EnforcementMetric]:
    existing = {m.code: m for m in EnforcementMetric.objects.all()}
    loaded: dict[str, EnforcementMetric] = {}
    for position, spec in enumerate(catalog.metrics, start=1):
        values = {
            "code": spec.code,
            "name": spec.name,
            "formula": spec.formula,
            "window": spec.window,
            "target": spec.target,
            "requires": spec.requires,
            "position": position,
            "withdrawn": False,
        }
        loaded[spec.code] = _upsert(existing.get(spec.code), EnforcementMetric, values, reason=reason, report=report)
    for code, metric in existing.items():
        if code not in loaded and not metric.withdrawn:
            metric.withdrawn = True
            _save(metric, reason=reason)
            report.count("withdrawn", "enforcementmetric")
    return loaded


def _load_framework(spec: FrameworkSpec, *, report: LoadReport) -> tuple[Framework, dict[str, Requirement]]:
    reason = _reason(spec.version)
    values = {
        "slug": spec.slug,
        "name": spec.name,
        "short_name": spec.short_name,
        "kind": spec.kind,
        "description": spec.description,
        "source": spec.source,
        "structure_only": spec.structure_only,
        "version": spec.version,
        "position": spec.position,
    }
    framework = _upsert(
        Framework.objects.filter(slug=spec.slug).first(), Framework, values, reason=reason, report=report
    )
    existing = {row.ref: row for row in Requirement.objects.filter(framework=framework)}
    rows: dict[str, Requirement] = {}
    depth: dict[str, int] = {}
    for position, item in enumerate(spec.requirements, start=1):
        parent = rows[item.parent_ref] if item.parent_ref else None
        depth[item.ref] = depth[item.parent_ref] + 1 if item.parent_ref else 0
        values = {
            # Ids, not instances: comparing an instance would fetch each row's parent once more.
            "framework_id": framework.pk,
            "ref": item.ref,
            "parent_id": parent.pk if parent else None,
            "kind": item.kind,
            "title": item.title,
            "text": item.text,
            "guidance": item.guidance,
            "position": position,
            "depth": depth[item.ref],
            "status": RequirementStatus.ACTIVE,
            "withdrawn_in_version": "",
            "evidence_level": item.evidence_level,
            "evidence_summary": item.evidence_summary,
            "evidence_still_needed": item.evidence_still_needed,
            "evidence_requires": item.evidence_requires,
        }
        rows[item.ref] = _upsert(existing.get(item.ref), Requirement, values, reason=reason, report=report)
    for ref, row in existing.items():
        if ref not in rows and row.status != RequirementStatus.WITHDRAWN:
            row.status = RequirementStatus.WITHDRAWN
            row.withdrawn_in_version = spec.version
            _save(row, reason=reason)
            report.count("withdrawn", "requirement")
    return framework, rows


def _load_requirement_metrics(
    spec: FrameworkSpec,
    rows: dict[str, Requirement],
    metrics: dict[str, EnforcementMetric],
    *,
    reason: str,
    report: LoadReport,
) -> None:
    """Which metrics evidence which requirement. A pairing is a plain fact: one that is gone is deleted."""
    wanted = {(item.ref, code) for item in spec.requirements for code in item.metrics}
    existing = {
        (link.requirement.ref, link.metric.code): link
        for link in RequirementMetric.objects.filter(requirement__framework__slug=spec.slug).select_related(
            "requirement", "metric"
        )
    }
    for ref, code in sorted(wanted - set(existing)):
        _save(RequirementMetric(requirement=rows[ref], metric=metrics[code]), reason=reason)
        report.count("created", "requirementmetric")
    for key in set(existing) - wanted:
        link = existing[key]
        link._history_user = None  # type: ignore[attr-defined]
        link._change_reason = reason  # type: ignore[attr-defined]
        link.delete()
        report.count("withdrawn", "requirementmetric")


def _load_links(
    catalog: Catalog, requirements: dict[tuple[str, str], Requirement], *, reason: str, report: LoadReport
) -> None:
    existing = {
        (link.from_requirement_id, link.to_requirement_id, link.reference): link
        for link in CrosswalkLink.objects.all()
    }
    seen: set[tuple[int, int, str]] = set()
    for spec in catalog.links:
        source = requirements[(spec.from_framework, spec.from_ref)]
        target = requirements[(spec.to_framework, spec.to_ref)]
        key = (source.pk, target.pk, spec.reference)
        seen.add(key)
        values = {
            "from_requirement_id": source.pk,
            "to_requirement_id": target.pk,
            "reference": spec.reference,
            "strength": spec.strength,
            "source": spec.source,
            "inferred": spec.inferred,
            "note": spec.note,
            "withdrawn": False,
        }
        _upsert(existing.get(key), CrosswalkLink, values, reason=reason, report=report)
    for key, link in existing.items():
        if key not in seen and not link.withdrawn:
            link.withdrawn = True
            _save(link, reason=reason)
            report.count("withdrawn", "crosswalklink")


# --- control implementations --------------------------------------------------------------------------------

IMPLEMENTATION_FIELDS = ("code", "name", "description", "owner", "status")


def _set_requirements(
    implementation: ControlImplementation, requirements: list[Requirement], *, user: Any, reason: str
) -> None:
    """Make the implementation satisfy exactly these requirements; each added or removed pairing is history."""
    wanted = {requirement.pk: requirement for requirement in requirements}
    current = {link.requirement_id: link for link in implementation.requirement_links.all()}
    newly_named = [wanted[pk] for pk in set(wanted) - set(current)]
    withdrawn = [r.ref for r in newly_named if r.status == RequirementStatus.WITHDRAWN]
    if withdrawn:
        # An existing pairing with a now-withdrawn requirement may stay; a new one would point at nothing current.
        raise ServiceError(
            f"Withdrawn requirements cannot be chosen: {', '.join(sorted(withdrawn))}.",
            fields={"requirements": ["Choose requirements of the current framework data."]},
        )
    for requirement in newly_named:
        link = ImplementationRequirement(implementation=implementation, requirement=requirement)
        link.full_clean()
        link._history_user = user  # type: ignore[attr-defined]
        link._change_reason = reason  # type: ignore[attr-defined]
        link.save()
    for pk in set(current) - set(wanted):
        link = current[pk]
        link._history_user = user  # type: ignore[attr-defined]
        link._change_reason = reason  # type: ignore[attr-defined]
        link.delete()


@transaction.atomic
def create_implementation(
    *,
    user: Any,
    code: str,
    name: str,
    description: str,
    owner: Any,
    status: str = ImplementationStatus.PLANNED,
    requirements: list[Requirement] | None = None,
    ai_systems: list[Any] | None = None,
    use_cases: list[Any] | None = None,
    reason: str = "",
) -> ControlImplementation:
    """Record a control the organisation runs; without requirements it is the organisation's own control, and
    gets its own SoA row (6.1.3: controls beyond Annex A)."""
    if not user.has_perm("controls.add_controlimplementation"):
        raise NotAllowed("You may not add control implementations.")
    implementation = ControlImplementation(code=code, name=name, description=description, owner=owner, status=status)
    implementation.full_clean()
    implementation._history_user = user  # type: ignore[attr-defined]
    implementation._change_reason = reason or "Control implementation created"  # type: ignore[attr-defined]
    implementation.save()
    _set_requirements(implementation, list(requirements or []), user=user, reason=reason or "Requirements set")
    _set_coverage(implementation, ai_systems, use_cases, user=user, reason=reason or "Coverage set")
    sync_soa_entries(user=user)
    return implementation


@transaction.atomic
def update_implementation(
    *,
    implementation: ControlImplementation,
    user: Any,
    reason: str = "",
    requirements: list[Requirement] | None = None,
    ai_systems: list[Any] | None = None,
    use_cases: list[Any] | None = None,
    **fields: Any,
) -> ControlImplementation:
    """Change the fields given, and the requirements when given; an unchanged implementation is not saved."""
    if not user.has_perm("controls.change_controlimplementation"):
        raise NotAllowed("You may not change control implementations.")
    unknown = set(fields) - set(IMPLEMENTATION_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    implementation = ControlImplementation.objects.select_for_update().get(pk=implementation.pk)
    changed = [name for name, value in fields.items() if getattr(implementation, name) != value]
    if changed:
        for name in changed:
            setattr(implementation, name, fields[name])
        implementation.full_clean()
        implementation._history_user = user  # type: ignore[attr-defined]
        implementation._change_reason = reason or "Control implementation changed"  # type: ignore[attr-defined]
        implementation.save()
    if requirements is not None:
        _set_requirements(implementation, list(requirements), user=user, reason=reason or "Requirements changed")
        sync_soa_entries(user=user)
    _set_coverage(implementation, ai_systems, use_cases, user=user, reason=reason or "Coverage changed")
    return implementation


def _set_coverage(
    implementation: ControlImplementation,
    ai_systems: list[Any] | None,
    use_cases: list[Any] | None,
    *,
    user: Any,
    reason: str,
) -> None:
    """Set the AI systems and use cases the control covers; None leaves a side unchanged. The m2m history
    records each change, with the user and reason set on the instance as for any other change."""
    implementation._history_user = user  # type: ignore[attr-defined]
    implementation._change_reason = reason  # type: ignore[attr-defined]
    if ai_systems is not None and set(ai_systems) != set(implementation.ai_systems.all()):
        implementation.ai_systems.set(ai_systems)
    if use_cases is not None and set(use_cases) != set(implementation.use_cases.all()):
        implementation.use_cases.set(use_cases)


# --- Statement of Applicability ---------------------------------------------------------------------------------

SOA_ENTRY_FIELDS = ("applies", "justification", "implementation_status", "owner")


def _annex_a_controls() -> models.QuerySet[Requirement]:
    return Requirement.objects.filter(
        framework__slug="iso42001", kind=RequirementKind.CONTROL, status=RequirementStatus.ACTIVE
    ).order_by("position")


def sync_soa_entries(*, user: Any) -> int:
    """Give every active Annex A control and every control of the organisation's own a draft SoA row.

    Idempotent; rows are added, never removed (a withdrawn control keeps its row and its history). A new row
    applies by default and has no justification yet: approval is refused until every row has one.
    """
    made = 0
    annex = {e.requirement_id for e in SoAEntry.objects.filter(requirement__isnull=False)}
    added = {e.added_control_id for e in SoAEntry.objects.filter(added_control__isnull=False)}
    for requirement in _annex_a_controls():
        if requirement.pk not in annex:
            _save_entry(SoAEntry(requirement=requirement, position=requirement.position), user, "SoA row added")
            made += 1
    annex_linked = ImplementationRequirement.objects.filter(
        requirement__framework__slug="iso42001", requirement__kind=RequirementKind.CONTROL
    ).values("implementation_id")
    custom = ControlImplementation.objects.exclude(pk__in=annex_linked)
    for control in custom.exclude(pk__in=added).order_by("code"):
        entry = SoAEntry(added_control=control, owner=control.owner, implementation_status=control.status)
        entry.position = 100_000 + control.pk  # after every Annex A control, in the order they were added
        entry.justification = ""
        _save_entry(entry, user, "SoA row added for a control beyond Annex A")
        made += 1
    return made


def _save_entry(entry: SoAEntry, user: Any, reason: str) -> None:
    entry.full_clean()
    entry._history_user = user  # type: ignore[attr-defined]
    entry._change_reason = reason[:100]  # type: ignore[attr-defined]
    entry.save()


@transaction.atomic
def update_soa_entry(*, entry: SoAEntry, user: Any, reason: str = "", **fields: Any) -> SoAEntry:
    """Change one draft SoA row. A justification is required whether the control applies or not (6.1.3 d)."""
    if not user.has_perm("controls.change_soaentry"):
        raise NotAllowed("You may not edit the Statement of Applicability.")
    unknown = set(fields) - set(SOA_ENTRY_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    entry = SoAEntry.objects.select_for_update().get(pk=entry.pk)
    changed = [name for name, value in fields.items() if getattr(entry, name) != value]
    for name in changed:
        setattr(entry, name, fields[name])
    if not (entry.justification or "").strip():
        raise ServiceError(
            "Justify including or excluding the control.", fields={"justification": ["This field is required."]}
        )
    if changed:
        _save_entry(entry, user, reason or f"Changed {', '.join(changed)}")
    return entry


def snapshot_rows() -> list[dict[str, Any]]:
    """The draft as plain data, in SoA order: what a version freezes and what the diff compares."""
    entries = SoAEntry.objects.select_related("requirement", "added_control", "owner").order_by("position", "id")
    links = ImplementationRequirement.objects.select_related("implementation").order_by("implementation__code")
    by_requirement: dict[int, list[str]] = {}
    for link in links:
        by_requirement.setdefault(link.requirement_id, []).append(link.implementation.code)
    rows = []
    for entry in entries:
        codes = by_requirement.get(entry.requirement_id, []) if entry.requirement_id else [entry.added_control.code]
        rows.append(
            {
                "key": entry.requirement.ref if entry.requirement_id else f"added:{entry.added_control.code}",
                "ref": entry.ref,
                "title": entry.title,
                "added": entry.is_added,
                "applies": entry.applies,
                "justification": entry.justification,
                "implementation_status": entry.implementation_status,
                "owner": entry.owner.username if entry.owner_id else "",
                "implementations": codes,
            }
        )
    return rows


def _digest(rows: list[dict[str, Any]]) -> str:
    canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def request_soa_approval(*, user: Any, note: str = "") -> SoAVersion:
    """Freeze the draft and ask the committee to approve it (four eyes: the requester cannot decide).

    Refused while another SoA approval is pending, while a row has no justification, and when the draft is
    exactly the SoA in force (there would be nothing to approve).
    """
    if not user.has_perm("controls.view_soaentry"):
        raise NotAllowed("You may not read the Statement of Applicability.")
    number_approved_versions()
    sync_soa_entries(user=user)
    pending = Decision.objects.filter(kind=DecisionKind.SOA_VERSION, status=DecisionStatus.PENDING)
    if pending.exists():
        raise Conflict("An SoA approval is already pending; it must be decided or withdrawn first.")
    rows = snapshot_rows()
    unjustified = [row["ref"] for row in rows if not row["justification"].strip()]
    if unjustified:
        shown = ", ".join(unjustified[:10]) + (" …" if len(unjustified) > 10 else "")
        raise ServiceError(
            f"{len(unjustified)} rows have no justification: {shown}.",
            fields={"justification": ["Every row needs a justification, whether it applies or not."]},
        )
    digest = _digest(rows)
    current = SoAVersion.objects.approved().exclude(number=None).order_by("-number").first()
    if current is not None and current.snapshot_sha256 == digest:
        raise Conflict(f"The draft is the same as version {current.number}; there is nothing to approve.")
    framework = Framework.objects.filter(slug="iso42001").first()
    version = SoAVersion(
        snapshot={"rows": rows},
        snapshot_sha256=digest,
        catalog_version=framework.version if framework else "",
        requested_by=user,
    )
    version.full_clean(exclude=["decision"])
    version.save()
    decision = core_services.request_decision(
        kind=DecisionKind.SOA_VERSION, subject=version, version=digest, requested_by=user, note=note
    )
    SoAVersion.objects.filter(pk=version.pk, decision=None).update(decision=decision)
    version.refresh_from_db()
    return version


def version_of(decision: Decision) -> SoAVersion:
    if decision.kind != DecisionKind.SOA_VERSION:
        raise ServiceError("This decision is not an SoA approval.")
    return SoAVersion.objects.get(decision=decision)


@transaction.atomic
def decide_soa(*, decision: Decision, user: Any, approve: bool, rationale: str = "") -> SoAVersion:
    """Approve or reject a frozen SoA through the platform's `decide()`; an approval numbers the version."""
    version = version_of(decision)
    core_services.decide(decision=decision, user=user, approve=approve, rationale=rationale)
    number_approved_versions()
    return SoAVersion.objects.get(pk=version.pk)


def number_approved_versions() -> int:
    """Give each approved, unnumbered version the next number, in the order of approval.

    The SoA page approves through `decide_soa`, but the generic /decisions/ page decides any kind; whichever
    way a version was approved, the next SoA write numbers it, and "in force" reads the decision row itself.
    A conditional update on `number=None` keeps each number given once.
    """
    given = 0
    waiting = SoAVersion.objects.approved().filter(number=None).select_related("decision")
    for version in waiting.order_by("decision__decided_at", "pk"):
        latest = SoAVersion.objects.exclude(number=None).aggregate(models.Max("number"))["number__max"] or 0
        given += SoAVersion.objects.filter(pk=version.pk, number=None).update(
            number=latest + 1, approved_at=version.decision.decided_at
        )
    return given


# --- control check results ------------------------------------------------------------------------------------


@transaction.atomic
def record_check_result(
    *,
    implementation: ControlImplementation,
    period_start: Any,
    period_end: Any,
    metric: str,
    value: Any,
    target: str,
    outcome: str,
    source: str,
    user: Any = None,
) -> ControlCheckResult:
    """Record one dated result of a control check: the seam the automated checks of the evidence app write to.

    Automated checks call it without a user (source "automated:<check name>"); a person recording a manual
    result needs the add permission, and the source is then "manual".
    """
    if user is not None and not user.has_perm("controls.add_controlcheckresult"):
        raise NotAllowed("You may not record control check results.")
    if outcome not in CheckOutcome.values:
        raise ServiceError(f"Unknown outcome {outcome!r}.", fields={"outcome": ["Expected pass or fail."]})
    if not (source == "manual" or source.startswith("automated:")):
        raise ServiceError("The source is 'manual' or 'automated:<check name>'.", fields={"source": ["Invalid."]})
    result = ControlCheckResult(
        implementation=implementation,
        period_start=period_start,
        period_end=period_end,
        metric=metric,
        value=value,
        target=target,
        outcome=outcome,
        source=source,
        recorded_by=user,
    )
    result.full_clean()
    result.save()
    return result
