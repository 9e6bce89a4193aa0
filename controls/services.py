"""Writes of the control catalog. Framework data is governed: every write sets the history user and reason.

`load_frameworks` upserts the catalog from the data files. It is idempotent: a row is saved only when one of
its fields changed, so loading the same data twice makes no history rows; a requirement or link that a newer
version no longer has is marked withdrawn, never deleted, because implementations and SoA versions point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction

from aims.core.exceptions import NotAllowed, ServiceError
from controls.choices import ImplementationStatus, RequirementStatus
from controls.loader import DATA_DIR, Catalog, FrameworkSpec, parse_catalog
from controls.models import (
    ControlImplementation,
    CrosswalkLink,
    EnforcementMetric,
    Framework,
    ImplementationRequirement,
    Requirement,
    RequirementMetric,
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
    reason: str = "",
) -> ControlImplementation:
    """Record a control the organisation runs; without requirements it is the organisation's own control."""
    if not user.has_perm("controls.add_controlimplementation"):
        raise NotAllowed("You may not add control implementations.")
    implementation = ControlImplementation(code=code, name=name, description=description, owner=owner, status=status)
    implementation.full_clean()
    implementation._history_user = user  # type: ignore[attr-defined]
    implementation._change_reason = reason or "Control implementation created"  # type: ignore[attr-defined]
    implementation.save()
    _set_requirements(implementation, list(requirements or []), user=user, reason=reason or "Requirements set")
    return implementation


@transaction.atomic
def update_implementation(
    *,
    implementation: ControlImplementation,
    user: Any,
    reason: str = "",
    requirements: list[Requirement] | None = None,
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
    return implementation
