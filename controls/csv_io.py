"""CSV export of the Statement of Applicability, and import of its applicability and justifications.

Export writes through `aims.core.csv.csv_response`, which defuses spreadsheet formulas. Import follows
registry/csv_io.py: every row is validated first, errors are reported by row number (the header is row 1), and
only a file without a single error is written, in one transaction, through `services.update_soa_entry`, so the
draft's history records each change with the importer and the reason "CSV import".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction

from aims.accounts.models import User
from aims.core.exceptions import NotAllowed, ServiceError
from controls import services
from controls.choices import ImplementationStatus
from controls.models import SoAEntry
from controls.selectors import SoARow
from registry.csv_io import ImportResult, _read

EXPORT_COLUMNS = [
    "key",
    "ref",
    "title",
    "added",
    "applies",
    "justification",
    "implementation_status",
    "owner",
    "implementations",
    "control_status",
]
IMPORT_COLUMNS = ["key", "applies", "justification", "implementation_status", "owner"]
IMPORT_REQUIRED = ["key", "applies", "justification"]
JUSTIFICATION_MAX = SoAEntry._meta.get_field("justification").max_length


def entry_key(entry: SoAEntry) -> str:
    return entry.requirement.ref if entry.requirement_id else f"added:{entry.added_control.code}"


def draft_rows(rows: Iterable[SoARow]) -> Iterator[list[Any]]:
    for row in rows:
        entry = row.entry
        yield [
            entry_key(entry),
            entry.ref,
            entry.title,
            "yes" if entry.is_added else "no",
            "yes" if entry.applies else "no",
            entry.justification,
            entry.implementation_status,
            entry.owner.username if entry.owner_id else "",
            "; ".join(i.code for i in row.implementations),
            row.status,
        ]


def version_rows(snapshot_rows: Iterable[dict[str, Any]]) -> Iterator[list[Any]]:
    for row in snapshot_rows:
        yield [
            row["key"],
            row["ref"],
            row["title"],
            "yes" if row["added"] else "no",
            "yes" if row["applies"] else "no",
            row["justification"],
            row["implementation_status"],
            row["owner"],
            "; ".join(row["implementations"]),
            "",  # a version freezes what was decided, not the evidence of a later day
        ]


def import_soa(*, user: Any, data: bytes) -> ImportResult:
    """Set applicability, justification (and optionally status and owner) of draft rows by key; all or nothing."""
    if not user.has_perm("controls.change_soaentry"):
        raise NotAllowed("You may not edit the Statement of Applicability.")
    rows, errors = _read(data, IMPORT_COLUMNS, [c for c in EXPORT_COLUMNS if c not in IMPORT_COLUMNS], IMPORT_REQUIRED)
    result = ImportResult(errors=errors)
    if errors:
        return result
    entries = {entry_key(e): e for e in SoAEntry.objects.select_related("requirement", "added_control")}
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    seen: dict[str, int] = {}
    plan: list[tuple[SoAEntry, dict[str, Any]]] = []
    for row in rows:
        key = row.text("key")
        entry = entries.get(key)
        if entry is None:
            row.error(f"key: no SoA row {key!r} (an Annex A ref such as A.2.2, or added:<control code>).")
        if key in seen:
            row.error(f"key: {key!r} is also on row {seen[key]}.")
        seen[key] = row.number
        fields: dict[str, Any] = {}
        if not row.text("applies"):
            row.error("applies: expected yes or no.")
        fields["applies"] = row.flag("applies", True)
        justification = row.text("justification")
        if not justification:
            row.error("justification: required, whether the control applies or not.")
        elif len(justification) > JUSTIFICATION_MAX:
            row.error(f"justification: at most {JUSTIFICATION_MAX} characters.")
        fields["justification"] = justification
        if row.text("implementation_status"):
            status = row.text("implementation_status")
            if status not in ImplementationStatus.values:
                row.error(f"implementation_status: expected one of {', '.join(ImplementationStatus.values)}.")
            fields["implementation_status"] = status
        if "owner" in row.cells:
            name = row.text("owner")
            if name and name not in users:
                row.error(f"owner: no active user named {name!r}.")
            fields["owner"] = users.get(name)
        if entry is not None:
            plan.append((entry, fields))
    if result.errors:
        result.errors.sort()
        return result
    try:
        with transaction.atomic():
            for entry, fields in plan:
                before = entry.history.count()
                services.update_soa_entry(entry=entry, user=user, reason="CSV import", **fields)
                result.updated += entry.history.count() - before > 0
    except ServiceError as exc:
        return ImportResult(errors=[(0, f"Nothing was imported: {exc.message}")])
    return result
