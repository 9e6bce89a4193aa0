"""The change history of a governed record, as people read it: who, when, why, and what changed.

One function for every History tab and history API: values are shown as labels (choices), names (related
objects) and joined lists, not raw ids. The records are django-simple-history's (DESIGN.md, History).
"""

from __future__ import annotations

from typing import Any

from django.db import models

# Fields whose change says nothing a reader wants: they move on every save.
NOISE_FIELDS = frozenset({"updated_at"})


def _display(record: Any, field_name: str, value: Any) -> str:
    """A history value as a person reads it: choice labels, related names, lists joined."""
    if value is None or value == "":
        return "—"
    try:
        model_field = record.instance_type._meta.get_field(field_name)
    except Exception:
        return str(value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.choices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = model_field.related_model.objects.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    if isinstance(model_field, models.ManyToManyField):
        names = []
        for row in value:
            target = row.get(model_field.m2m_reverse_field_name()) if isinstance(row, dict) else row
            obj = model_field.related_model.objects.filter(pk=target).first()
            names.append(str(obj) if obj else f"#{target}")
        return ", ".join(sorted(names)) or "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "—"
    if isinstance(value, dict):
        # Questionnaire answers and PII policies: show what was answered or set, not every empty default.
        parts = []
        for key, item in value.items():
            if item in (None, "", [], False):
                continue
            shown = "yes" if item is True else ", ".join(map(str, item)) if isinstance(item, list) else item
            parts.append(f"{key}: {shown}")
        return "; ".join(parts) or "—"
    return str(value)


def history_rows(obj: models.Model) -> list[dict[str, Any]]:
    """Each change with who, when, why, and a field-by-field diff against the version before (newest first).

    Values are shown as people read them, so a changed owner shows a name and a changed tier its label.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_id"))  # type: ignore[attr-defined]
    rows = []
    for record in records:
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                if change.field in NOISE_FIELDS:
                    continue
                name = change.field
                try:
                    label = str(record.instance_type._meta.get_field(name).verbose_name)
                except Exception:
                    label = name
                changes.append(
                    {
                        "field": label,
                        "old": _display(record, name, change.old),
                        "new": _display(record, name, change.new),
                    }
                )
        rows.append({"record": record, "changes": changes})
    return rows
