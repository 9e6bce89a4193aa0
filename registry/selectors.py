"""Reads of the register, scoped by the user who asks, and the history of any governed record as a diff."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, QuerySet

from aims.accounts.models import User
from aims.core.choices import DecisionKind
from aims.core.models import Decision
from registry.models import AISystem, CatalogModel, Supplier, SupplierAssessment, UseCase


def ai_systems_for(user: Any, action: str = "view") -> QuerySet[AISystem]:
    return (
        AISystem.objects.restrict(user, action)
        .select_related("owner")
        .annotate(use_case_count=Count("use_cases", distinct=True))
        .order_by("name")  # Meta.ordering does not apply to a grouped query
    )


def use_cases_for(user: Any, action: str = "view") -> QuerySet[UseCase]:
    return UseCase.objects.restrict(user, action).select_related("ai_system", "ai_system__owner")


def catalog_models_for(user: Any, action: str = "view") -> QuerySet[CatalogModel]:
    return CatalogModel.objects.restrict(user, action).select_related("supplier").with_approval()


def suppliers_for(user: Any, action: str = "view") -> QuerySet[Supplier]:
    return (
        Supplier.objects.restrict(user, action)
        .annotate(system_count=Count("ai_systems", distinct=True), model_count=Count("models", distinct=True))
        .order_by("name")  # Meta.ordering does not apply to a grouped query
    )


def assessments_for(user: Any) -> QuerySet[SupplierAssessment]:
    return SupplierAssessment.objects.restrict(user, "view").select_related("assessor", "supplier")


def can_change(user: Any, obj: models.Model) -> bool:
    """May this user change this entry (the model permission and the per-object scope)?"""
    return type(obj).objects.restrict(user, "change").filter(pk=obj.pk).exists()


def with_approvers(models_: list[CatalogModel]) -> list[CatalogModel]:
    """Attach the approving user to each annotated model in one query."""
    ids = {m.approved_by_id for m in models_ if getattr(m, "approved_by_id", None)}
    users = User.objects.in_bulk(ids)
    for model in models_:
        model.approved_by = users.get(getattr(model, "approved_by_id", None))
    return models_


def model_decisions(model: CatalogModel, user: Any) -> QuerySet[Decision]:
    return (
        Decision.objects.restrict(user, "view")
        .filter(
            kind=DecisionKind.MODEL_APPROVAL,
            subject_type=ContentType.objects.get_for_model(CatalogModel),
            subject_id=str(model.pk),
        )
        .select_related("requested_by", "decided_by")
    )


def approved_models_for(use_case: UseCase) -> QuerySet[CatalogModel]:
    return CatalogModel.objects.approved().filter(use_cases=use_case)


def use_case_policy(use_case: UseCase) -> dict[str, Any]:
    """What the policy bundle needs of one use case: approved models by gateway name, PII rules, fail mode."""
    return {
        "key": use_case.key,
        "allowed_models": sorted(approved_models_for(use_case).values_list("gateway_name", flat=True).distinct()),
        "redaction_required": use_case.redaction_required,
        "pii": dict(sorted(use_case.pii_policy.items())),
        "fail_mode": use_case.fail_mode,
    }


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


def history_of(obj: models.Model) -> list[dict[str, Any]]:
    """Each change with who, when, why, and a field-by-field diff against the version before (newest first).

    The generalised form of aims.governance.selectors.profile_history: values are shown as people read them,
    so a changed owner shows a name and a changed tier its label.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_id"))  # type: ignore[attr-defined]
    rows = []
    for record in records:
        previous = record.prev_record
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, foreign_keys_are_objs=False)
            for change in delta.changes:
                if change.field in {"updated_at"}:
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
