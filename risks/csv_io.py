"""CSV export and import of the risk register.

Export writes through `aims.core.csv.csv_response`, which defuses spreadsheet formulas. Import is all or nothing,
as the register's (registry/csv_io.py, whose reader it shares): every row is parsed and validated first with the
same `full_clean()` and scope rules as the services, errors are reported by row number (the header is row 1),
and only a file without a single error is written, in one transaction, through the services.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.accounts.models import User
from aims.core.exceptions import ServiceError
from controls.models import ControlImplementation
from registry.csv_io import MAX_IMPORT_BYTES, ImportResult, _read, _validation_messages
from registry.models import AISystem
from risks import services
from risks.choices import RiskStatus
from risks.models import EDIT_ALL, Risk

COLUMNS = [
    "ref",
    "title",
    "description",
    "ai_system",
    "source",
    "objectives",
    "affected_parties",
    "inherent_likelihood",
    "inherent_impact",
    "existing_controls",
    "residual_likelihood",
    "residual_impact",
    "treatment",
    "treatment_plan",
    "owner",
    "review_on",
    "status",
    "controls",
]
EXPORT_ONLY = [
    "criteria_version",
    "inherent_score",
    "inherent_level",
    "residual_score",
    "residual_level",
    "acceptor",
    "effective_status",
    "accepted_until",
    "overdue_actions",
]
REQUIRED = [
    "title",
    "source",
    "affected_parties",
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "owner",
    "review_on",
]
RATINGS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


def risk_rows(risks: Iterable[Risk]) -> Iterator[list[Any]]:
    for r in risks:
        yield [
            r.ref,
            r.title,
            r.description,
            r.ai_system.name if r.ai_system else "",
            r.source,
            "; ".join(r.objectives or []),
            r.affected_parties,
            r.inherent_likelihood,
            r.inherent_impact,
            r.existing_controls,
            r.residual_likelihood,
            r.residual_impact,
            r.treatment,
            r.treatment_plan,
            r.owner.username,
            r.review_on,
            r.status,
            "; ".join(sorted(c.code for c in r.controls.all())),
            r.criteria.version,
            r.inherent_score,
            r.inherent_level,
            r.residual_score,
            r.level,
            r.acceptor,
            r.effective_status,
            r.accepted_until,
            getattr(r, "overdue_action_count", 0),
        ]


def _ref_pk(ref: str) -> int | None:
    if ref.upper().startswith("R-") and ref[2:].isdigit():
        return int(ref[2:])
    return None


def import_risks(*, user: Any, data: bytes) -> ImportResult:
    """Create risks, or update them by `ref`, from a CSV file; nothing is written if any row fails.

    Owners may import risks of their own AI systems only; a row for another system is an error of its row.
    """
    services.require_perms(user, "risks.add_risk", "risks.change_risk", message="You may not import risks.")
    rows, errors = _read(data, COLUMNS, EXPORT_ONLY, REQUIRED)
    result = ImportResult(errors=errors)
    if errors:
        return result
    try:
        criteria = services.current_criteria()
    except ServiceError as exc:
        return ImportResult(errors=[(0, exc.message)])
    edit_all = user.has_perm(EDIT_ALL)
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    systems = {s.name: s for s in AISystem.objects.all()}
    controls = {c.code: c for c in ControlImplementation.objects.all()}
    changeable = set(Risk.objects.restrict(user, "change").values_list("pk", flat=True))
    existing = {r.pk: r for r in Risk.objects.select_related("criteria")}
    seen: dict[int, int] = {}
    plan: list[tuple[Risk | None, dict[str, Any], list[ControlImplementation] | None]] = []
    for row in rows:
        current = None
        ref = row.text("ref")
        if ref:
            pk = _ref_pk(ref)
            current = existing.get(pk) if pk else None
            if current is None:
                row.error(f"ref: no risk {ref!r}; leave it empty to create one.")
            elif pk in seen:
                row.error(f"ref: {ref!r} is also on row {seen[pk]}.")
            elif pk not in changeable:
                row.error(f"ref: you may not change {ref!r}.")
            if pk:
                seen[pk] = row.number
        fields: dict[str, Any] = {
            n: row.text(n) for n in COLUMNS if n in row.cells and n not in {"ref", "controls", "objectives"}
        }
        if "objectives" in row.cells:
            fields["objectives"] = row.listed("objectives")
        system_name = fields.pop("ai_system", "")
        system = None
        if system_name:
            system = systems.get(system_name)
            if system is None:
                row.error(f"ai_system: no AI system named {system_name!r}.")
        if system is None and not system_name and not edit_all:
            row.error("ai_system: only a governance officer records organisation-wide risks.")
        elif system is not None and not edit_all and system.owner_id != user.pk:
            row.error(f"ai_system: you may not record risks of {system_name!r}.")
        if "ai_system" in row.cells:
            fields["ai_system"] = system
        owner_name = fields.get("owner", "")
        fields["owner"] = users.get(owner_name)
        if fields["owner"] is None:
            row.error(f"owner: no active user named {owner_name!r}.")
        elif current is not None and current.owner_id != fields["owner"].pk and not edit_all:
            row.error("owner: only a governance officer may hand a risk to another owner.")
        for name in RATINGS:
            value = fields.get(name, "")
            if value:
                try:
                    fields[name] = int(value)
                except ValueError:
                    row.error(f"{name}: expected a whole number, got {value!r}.")
                    fields[name] = None
        try:
            fields["review_on"] = date.fromisoformat(fields.get("review_on", ""))
        except ValueError:
            row.error(f"review_on: expected a date as YYYY-MM-DD, got {fields.get('review_on')!r}.")
            fields["review_on"] = None
        status = fields.get("status", "")
        if not status:
            fields.pop("status", None)
        elif status not in services.EDITABLE_STATUSES and (current is None or status != current.status):
            row.error(f"status: use one of {', '.join(services.EDITABLE_STATUSES)}; acceptance is its own step.")
        linked: list[ControlImplementation] | None = None
        if "controls" in row.cells:
            linked = []
            for code in row.listed("controls"):
                if code not in controls:
                    row.error(f"controls: no control implementation {code!r}.")
                else:
                    linked.append(controls[code])
        candidate = Risk(criteria=current.criteria if current else criteria, owner=fields["owner"] or user)
        if current is not None:
            for f in Risk._meta.concrete_fields:
                setattr(candidate, f.attname, getattr(current, f.attname))
            candidate._state.adding = False
        for key, value in fields.items():
            if key != "owner" and value is not None:
                setattr(candidate, key, value)
        if not row.failed:
            try:
                candidate.full_clean(exclude=["inherent_score", "residual_score"])
            except ValidationError as exc:
                for message in _validation_messages(exc):
                    row.error(message)
        plan.append((current, fields, linked))
    if result.errors:
        result.errors.sort()
        return result
    try:
        with transaction.atomic():
            for current, fields, linked in plan:
                if current is None:
                    fields.setdefault("status", RiskStatus.OPEN)
                    services.create_risk(user=user, reason="CSV import", controls=linked, **fields)
                    result.created += 1
                else:
                    services.update_risk(risk=current, user=user, reason="CSV import", controls=linked, **fields)
                    result.updated += 1
    except (ValidationError, ServiceError) as exc:
        # Validated above; this is a concurrent change between validation and write. Nothing was kept.
        message = exc.message if isinstance(exc, ServiceError) else "; ".join(_validation_messages(exc))
        return ImportResult(errors=[(0, f"Nothing was imported: {message}")])
    return result


__all__ = ["COLUMNS", "EXPORT_ONLY", "MAX_IMPORT_BYTES", "ImportResult", "import_risks", "risk_rows"]
