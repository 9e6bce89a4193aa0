"""Reads of the register, scoped by the user who asks, and the history of any governed record as a diff."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, QuerySet

from aims.accounts.models import User
from aims.core.choices import DecisionKind
from aims.core.history import history_rows
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


def history_of(obj: models.Model) -> list[dict[str, Any]]:
    """Each change of a register entry, newest first (aims.core.history)."""
    return history_rows(obj)
