"""CSV export and import of AI systems and use cases.

Export writes through `aims.core.csv.csv_response`, which defuses spreadsheet formulas. Import is all or nothing:
every row is parsed and validated first (the same `full_clean()` and scope checks the services apply), errors
are reported by row number (the header is row 1), and only a file without a single error is written, in one
transaction, through the services, so history and scope rules hold as for any other edit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from aims.accounts.models import User
from aims.core.exceptions import ServiceError
from registry import services
from registry.choices import PiiEntity
from registry.models import EDIT_ALL, AISystem, Supplier, UseCase

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")

SYSTEM_COLUMNS = [
    "name",
    "purpose",
    "owner",
    "business_unit",
    "lifecycle_stage",
    "ai_role",
    "deployment",
    "status",
    "next_review_on",
    "human_oversight",
    "oversight_notes",
    "data_resources",
    "tooling_resources",
    "compute_resources",
    "human_resources",
    "suppliers",
]
SYSTEM_EXPORT_ONLY = ["risk_tier", "gpai_model", "transparency_duties", "classified_at", "use_cases"]
SYSTEM_REQUIRED = [
    "name",
    "purpose",
    "owner",
    "business_unit",
    "ai_role",
    "deployment",
    "next_review_on",
    "human_oversight",
]

USE_CASE_COLUMNS = [
    "key",
    "ai_system",
    "name",
    "description",
    "data_categories",
    "redaction_required",
    "pii_policy",
    "fail_mode",
    "active",
]
USE_CASE_EXPORT_ONLY = ["allowed_models"]
USE_CASE_REQUIRED = ["key", "ai_system", "name"]


# --- export ---------------------------------------------------------------------------------------------------


def system_rows(systems: Iterable[AISystem]) -> Iterator[list[Any]]:
    for s in systems:
        yield [
            s.name,
            s.purpose,
            s.owner.username,
            s.business_unit,
            s.lifecycle_stage,
            s.ai_role,
            s.deployment,
            s.status,
            s.next_review_on,
            s.human_oversight,
            s.oversight_notes,
            s.data_resources,
            s.tooling_resources,
            s.compute_resources,
            s.human_resources,
            "; ".join(sorted(sup.name for sup in s.suppliers.all())),
            s.risk_tier,
            s.gpai_model,
            "; ".join(s.transparency_duties or []),
            s.classified_at,
            "; ".join(uc.key for uc in s.use_cases.all()),
        ]


def use_case_rows(use_cases: Iterable[UseCase]) -> Iterator[list[Any]]:
    for uc in use_cases:
        yield [
            uc.key,
            uc.ai_system.name,
            uc.name,
            uc.description,
            "; ".join(uc.data_categories or []),
            uc.redaction_required,
            "; ".join(f"{k}={v}" for k, v in sorted((uc.pii_policy or {}).items())),
            uc.fail_mode,
            uc.active,
            "; ".join(sorted({m.gateway_name for m in uc.allowed_models.all()})),
        ]


# --- import ---------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Row:
    """One CSV row: read cells by column name, collect errors against the row number."""

    def __init__(self, number: int, cells: dict[str, str], errors: list[tuple[int, str]]) -> None:
        self.number = number
        self.cells = cells
        self.errors = errors
        self.failed = False

    def error(self, message: str) -> None:
        self.failed = True
        self.errors.append((self.number, message))

    def text(self, name: str) -> str:
        value = (self.cells.get(name) or "").strip()
        # Undo the export's formula defusing: "'=x" was written for "=x".
        if value.startswith("'") and value[1:2] in _FORMULA_PREFIXES and value[1:2]:
            value = value[1:]
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.text(name).lower()
        if not value:
            return default
        if value in {"yes", "true", "1", "y"}:
            return True
        if value in {"no", "false", "0", "n"}:
            return False
        self.error(f"{name}: expected yes or no, got {value!r}.")
        return default

    def listed(self, name: str) -> list[str]:
        return [part.strip() for part in self.text(name).split(";") if part.strip()]


def _read(data: bytes, columns: list[str], export_only: list[str], required: list[str]) -> tuple[list[_Row], list]:
    errors: list[tuple[int, str]] = []
    if len(data) > MAX_IMPORT_BYTES:
        return [], [(0, f"The file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, "The file is not UTF-8 text.")]
    if "\x00" in text:
        return [], [(0, "The file contains NUL bytes; it is not a CSV file.")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        return [], [(1, f"The header cannot be read: {exc}.")]
    if not header:
        return [], [(1, "The file is empty: expected a header row.")]
    reader.fieldnames = header
    unknown = [h for h in header if h not in columns and h not in export_only]
    missing = [h for h in required if h not in header]
    if unknown:
        errors.append((1, f"Unknown columns: {', '.join(unknown)}."))
    if missing:
        errors.append((1, f"Missing columns: {', '.join(missing)}."))
    if errors:
        return [], errors
    rows = []
    try:
        for index, cells in enumerate(reader, start=2):
            if index - 1 > MAX_IMPORT_ROWS:
                return [], [(index, f"More than {MAX_IMPORT_ROWS} rows; split the file.")]
            if None in cells:
                errors.append((index, "More cells than columns."))
                continue
            if not any((v or "").strip() for v in cells.values()):
                continue  # a blank line
            rows.append(_Row(index, cells, errors))
    except csv.Error as exc:
        return [], [(reader.line_num, f"The CSV cannot be read: {exc}.")]
    if not rows and not errors:
        errors.append((2, "The file has no data rows."))
    return rows, errors


def _validation_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()]
    return list(exc.messages)


def import_ai_systems(*, user: Any, data: bytes) -> ImportResult:
    """Create or update AI systems by name from a CSV file; nothing is written if any row fails."""
    services.require_perms(user, "registry.add_aisystem", EDIT_ALL, message="You may not import AI systems.")
    rows, errors = _read(data, SYSTEM_COLUMNS, SYSTEM_EXPORT_ONLY, SYSTEM_REQUIRED)
    result = ImportResult(errors=errors)
    if errors:
        return result
    users = {u.username: u for u in User.objects.all()}
    suppliers = {s.name: s for s in Supplier.objects.all()}
    existing = {s.name: s for s in AISystem.objects.all()}
    seen: dict[str, int] = {}
    plan: list[tuple[AISystem | None, dict[str, Any], list[Supplier] | None]] = []
    for row in rows:
        name = row.text("name")
        if name in seen:
            row.error(f"name: {name!r} is also on row {seen[name]}.")
        seen[name] = row.number
        fields: dict[str, Any] = {n: row.text(n) for n in SYSTEM_COLUMNS if n in row.cells and n != "suppliers"}
        owner_name = fields.get("owner", "")
        fields["owner"] = users.get(owner_name)
        if fields["owner"] is None:
            row.error(f"owner: no user named {owner_name!r}.")
        if fields.get("next_review_on"):
            try:
                fields["next_review_on"] = date.fromisoformat(fields["next_review_on"])
            except ValueError:
                row.error(f"next_review_on: expected a date as YYYY-MM-DD, got {fields['next_review_on']!r}.")
                fields["next_review_on"] = None
        else:
            fields["next_review_on"] = None
        for optional in ("lifecycle_stage", "status"):
            if not fields.get(optional):
                fields.pop(optional, None)  # keep the model's default (new) or the current value (update)
        linked: list[Supplier] | None = None
        if "suppliers" in row.cells:
            linked = []
            for supplier_name in row.listed("suppliers"):
                if supplier_name not in suppliers:
                    row.error(f"suppliers: no supplier named {supplier_name!r}.")
                else:
                    linked.append(suppliers[supplier_name])
        current = existing.get(name)
        candidate = AISystem(pk=current.pk if current else None)
        if current:
            candidate._state.adding = False  # an update: uniqueness is checked against the other rows
            for f in AISystem._meta.concrete_fields:
                setattr(candidate, f.attname, getattr(current, f.attname))
        for key, value in fields.items():
            if key != "owner" or value is not None:
                setattr(candidate, key, value)
        try:
            candidate.full_clean(exclude=["owner"] if fields["owner"] is None else None)
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
                    services.create_ai_system(user=user, reason="CSV import", suppliers=linked, **fields)
                    result.created += 1
                else:
                    services.update_ai_system(
                        system=current, user=user, reason="CSV import", suppliers=linked, **fields
                    )
                    result.updated += 1
    except (ValidationError, ServiceError) as exc:
        # Validated above; this is a concurrent change between validation and write. Nothing was kept.
        message = exc.message if isinstance(exc, ServiceError) else "; ".join(_validation_messages(exc))
        return ImportResult(errors=[(0, f"Nothing was imported: {message}")])
    return result


def _pii_policy(row: _Row) -> dict[str, str]:
    policy: dict[str, str] = {}
    for part in row.listed("pii_policy"):
        entity, _, operator = part.partition("=")
        entity, operator = entity.strip(), operator.strip()
        if not operator:
            row.error(f"pii_policy: expected ENTITY=operator, got {part!r}.")
        elif entity not in PiiEntity.values:
            row.error(f"pii_policy: unknown entity type {entity!r}.")
        else:
            policy[entity] = operator
    return policy


def import_use_cases(*, user: Any, data: bytes) -> ImportResult:
    """Create or update use cases by key from a CSV file; nothing is written if any row fails.

    Owners may import use cases of their own systems only; a row for another system is an error of its row.
    """
    services.require_perms(
        user, "registry.add_usecase", "registry.change_usecase", message="You may not import use cases."
    )
    rows, errors = _read(data, USE_CASE_COLUMNS, USE_CASE_EXPORT_ONLY, USE_CASE_REQUIRED)
    result = ImportResult(errors=errors)
    if errors:
        return result
    systems = {s.name: s for s in AISystem.objects.all()}
    changeable = set(AISystem.objects.restrict(user, "change").values_list("pk", flat=True))
    existing = {uc.key: uc for uc in UseCase.objects.select_related("ai_system")}
    seen: dict[str, int] = {}
    plan: list[tuple[UseCase | None, AISystem | None, str, dict[str, Any]]] = []
    for row in rows:
        key = row.text("key")
        if key in seen:
            row.error(f"key: {key!r} is also on row {seen[key]}.")
        seen[key] = row.number
        system_name = row.text("ai_system")
        system = systems.get(system_name)
        current = existing.get(key)
        if system is None:
            row.error(f"ai_system: no AI system named {system_name!r}.")
        elif system.pk not in changeable:
            row.error(f"ai_system: you may not change the use cases of {system_name!r}.")
        elif current is not None and current.ai_system_id != system.pk:
            row.error(f"ai_system: use case {key!r} belongs to {current.ai_system.name!r}; a key never moves.")
        fields: dict[str, Any] = {
            "name": row.text("name"),
            "description": row.text("description"),
            "data_categories": row.listed("data_categories"),
            "redaction_required": row.flag("redaction_required", True),
            "pii_policy": _pii_policy(row),
            "fail_mode": row.text("fail_mode") or "closed",
            "active": row.flag("active", True),
        }
        fields = {
            k: v for k, v in fields.items() if k in row.cells or k in {"redaction_required", "active", "fail_mode"}
        }
        candidate = UseCase(pk=current.pk if current else None, key=key, ai_system=system)
        if current:
            candidate._state.adding = False
            for f in UseCase._meta.concrete_fields:
                if f.name not in {"key", "ai_system"}:
                    setattr(candidate, f.attname, getattr(current, f.attname))
        for name, value in fields.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=["ai_system"] if system is None else None)
        except ValidationError as exc:
            for message in _validation_messages(exc):
                row.error(message)
        plan.append((current, system, key, fields))
    if result.errors:
        result.errors.sort()
        return result
    try:
        with transaction.atomic():
            for current, system, key, fields in plan:
                if current is None:
                    services.create_use_case(ai_system=system, user=user, key=key, reason="CSV import", **fields)
                    result.created += 1
                else:
                    services.update_use_case(use_case=current, user=user, reason="CSV import", **fields)
                    result.updated += 1
    except (ValidationError, ServiceError) as exc:
        message = exc.message if isinstance(exc, ServiceError) else "; ".join(_validation_messages(exc))
        return ImportResult(errors=[(0, f"Nothing was imported: {message}")])
    return result
