"""Writes to the AI system register. Each one checks who may do it, validates with `full_clean()`, and sets the
history user and reason, so the History tab says who changed what, when and why.

Material changes: when an AI system's purpose, its risk tier or its approved models change, its impact
assessment falls due (ISO/IEC 42001 6.1.4, A.5.2; marked by a later issue). The services that can cause such a
change return a `Change` whose `material` names the systems affected and why; that return value is the hook
point. There are no signals: the caller decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import models, transaction
from django.utils import timezone

from aims.core import services as core_services
from aims.core.choices import DecisionKind
from aims.core.exceptions import Conflict, NotAllowed, ServiceError
from aims.core.models import Decision
from registry import classification
from registry.choices import ModelApprovalStatus
from registry.models import EDIT_ALL, AISystem, CatalogModel, Supplier, SupplierAssessment, UseCase

T = TypeVar("T")

SYSTEM_FIELDS = (
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
)
USE_CASE_FIELDS = (
    "name",
    "description",
    "data_categories",
    "redaction_required",
    "pii_policy",
    "fail_mode",
    "active",
)
MODEL_FIELDS = ("provider", "gateway_name", "display_name", "version", "hosting_region", "supplier", "description")
# A change to any of these is a different model from the one approved: the approval no longer holds.
MODEL_SPEC_FIELDS = ("provider", "gateway_name", "version", "hosting_region")
SUPPLIER_FIELDS = ("name", "kind", "country", "contact_email", "services", "critical")


@dataclass(frozen=True)
class MaterialChange:
    """Which AI systems changed materially (purpose, tier or approved models), and why."""

    system_ids: frozenset[int] = frozenset()
    reasons: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.system_ids)

    def __or__(self, other: MaterialChange) -> MaterialChange:
        return MaterialChange(self.system_ids | other.system_ids, self.reasons + other.reasons)


@dataclass(frozen=True)
class Change(Generic[T]):
    """The result of a write that can change a system materially: the object, and the material change."""

    obj: T
    material: MaterialChange = field(default_factory=MaterialChange)


# --- helpers --------------------------------------------------------------------------------------------------


def require_perms(user: Any, *perms: str, message: str) -> None:
    if not (user and user.is_authenticated and user.has_perms(perms)):
        raise NotAllowed(message)


def _check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}.")


def _save(obj: models.Model, *, user: Any, reason: str) -> None:
    obj.full_clean()
    obj._history_user = user  # type: ignore[attr-defined]
    obj._change_reason = reason[:100]  # type: ignore[attr-defined]
    obj.save()


def _changed(obj: models.Model, fields: dict[str, Any]) -> list[str]:
    return [name for name, value in fields.items() if getattr(obj, name) != value]


def _may_change_system(user: Any, system: AISystem) -> bool:
    return AISystem.objects.restrict(user, "change").filter(pk=system.pk).exists()


# --- suppliers (A.10.3) ---------------------------------------------------------------------------------------


@transaction.atomic
def create_supplier(*, user: Any, reason: str = "", **fields: Any) -> Supplier:
    require_perms(user, "registry.add_supplier", message="You may not add suppliers.")
    _check_fields(fields, SUPPLIER_FIELDS)
    supplier = Supplier(**fields)
    _save(supplier, user=user, reason=reason or "Supplier added")
    return supplier


@transaction.atomic
def update_supplier(*, supplier: Supplier, user: Any, reason: str = "", **fields: Any) -> Supplier:
    require_perms(user, "registry.change_supplier", message="You may not change suppliers.")
    _check_fields(fields, SUPPLIER_FIELDS)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    for name, value in fields.items():
        setattr(supplier, name, value)
    _save(supplier, user=user, reason=reason or "Supplier updated")
    return supplier


@transaction.atomic
def record_assessment(
    *,
    supplier: Supplier,
    user: Any,
    assessed_on: Any,
    outcome: str,
    next_due: Any,
    assessor: Any = None,
    notes: str = "",
) -> SupplierAssessment:
    """Record a supplier assessment; the assessor defaults to the person recording it."""
    require_perms(user, "registry.add_supplierassessment", message="You may not record supplier assessments.")
    assessment = SupplierAssessment(
        supplier=supplier,
        assessed_on=assessed_on,
        assessor=assessor or user,
        outcome=outcome,
        notes=notes,
        next_due=next_due,
    )
    _save(assessment, user=user, reason="Assessment recorded")
    return assessment


# --- AI systems -----------------------------------------------------------------------------------------------


@transaction.atomic
def create_ai_system(
    *, user: Any, reason: str = "", suppliers: Iterable[Supplier] | None = None, **fields: Any
) -> AISystem:
    require_perms(user, "registry.add_aisystem", EDIT_ALL, message="You may not register AI systems.")
    _check_fields(fields, SYSTEM_FIELDS)
    system = AISystem(**fields)
    _save(system, user=user, reason=reason or "AI system registered")
    if suppliers is not None:
        system.suppliers.set(suppliers)
    return system


@transaction.atomic
def update_ai_system(
    *, system: AISystem, user: Any, reason: str = "", suppliers: Iterable[Supplier] | None = None, **fields: Any
) -> Change[AISystem]:
    """Change an AI system. Owners may change only their own, and cannot hand it to someone else."""
    require_perms(user, "registry.change_aisystem", message="You may not change AI systems.")
    _check_fields(fields, SYSTEM_FIELDS)
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    if not _may_change_system(user, system):
        raise NotAllowed("You may change only the AI systems you own.")
    if "owner" in fields and fields["owner"] != system.owner and not user.has_perm(EDIT_ALL):
        raise NotAllowed("Only a governance officer may hand a system to another owner.")
    changed = _changed(system, fields)
    for name, value in fields.items():
        setattr(system, name, value)
    _save(system, user=user, reason=reason or f"Changed {', '.join(changed) or 'nothing'}")
    if suppliers is not None:
        system._history_user = user  # type: ignore[attr-defined]
        system.suppliers.set(suppliers)
    material = MaterialChange()
    if "purpose" in changed:
        material = MaterialChange(frozenset({system.pk}), (f"{system}: purpose changed",))
    return Change(system, material)


@transaction.atomic
def classify_ai_system(*, system: AISystem, user: Any, answers: dict[str, Any], reason: str = "") -> Change[AISystem]:
    """Store the questionnaire's answers and the tier, routes and rationale they lead to.

    Answering again reclassifies: the history keeps each set of answers with the tier it gave.
    """
    require_perms(user, "registry.change_aisystem", message="You may not classify AI systems.")
    system = AISystem.objects.select_for_update().get(pk=system.pk)
    if not _may_change_system(user, system):
        raise NotAllowed("You may classify only the AI systems you own.")
    try:
        parsed = classification.parse_answers(answers)
    except classification.InvalidAnswers as exc:
        raise ServiceError("The answers cannot be classified.", fields=exc.errors) from None
    result = classification.classify(parsed)
    previous = system.risk_tier
    system.classification_answers = parsed.as_dict()
    system.risk_tier = result.tier
    system.classification_routes = list(result.routes)
    system.classification_rationale = result.rationale_text
    system.transparency_duties = list(result.transparency_duties)
    system.gpai_model = result.gpai_model
    system.gpai_systemic_risk = result.gpai_systemic_risk
    system.classified_at = timezone.now()
    system.classified_by = user
    default_reason = (
        f"Classified {result.tier}" if previous == result.tier else f"Reclassified {previous} → {result.tier}"
    )
    _save(system, user=user, reason=reason or default_reason)
    material = MaterialChange()
    if previous != result.tier:
        material = MaterialChange(frozenset({system.pk}), (f"{system}: tier {previous} → {result.tier}",))
    return Change(system, material)


# --- use cases ------------------------------------------------------------------------------------------------


@transaction.atomic
def create_use_case(*, ai_system: AISystem, user: Any, key: str, reason: str = "", **fields: Any) -> UseCase:
    require_perms(user, "registry.add_usecase", message="You may not add use cases.")
    _check_fields(fields, USE_CASE_FIELDS)
    if not _may_change_system(user, ai_system):
        raise NotAllowed("You may add use cases only to the AI systems you own.")
    use_case = UseCase(ai_system=ai_system, key=key, **fields)
    _save(use_case, user=user, reason=reason or "Use case added")
    return use_case


@transaction.atomic
def update_use_case(*, use_case: UseCase, user: Any, reason: str = "", **fields: Any) -> UseCase:
    """Change a use case. Its key and its system stay: gateways and evidence refer to the key."""
    require_perms(user, "registry.change_usecase", message="You may not change use cases.")
    _check_fields(fields, USE_CASE_FIELDS)
    use_case = UseCase.objects.select_for_update().get(pk=use_case.pk)
    if not UseCase.objects.restrict(user, "change").filter(pk=use_case.pk).exists():
        raise NotAllowed("You may change only the use cases of the AI systems you own.")
    changed = _changed(use_case, fields)
    for name, value in fields.items():
        setattr(use_case, name, value)
    _save(use_case, user=user, reason=reason or f"Changed {', '.join(changed) or 'nothing'}")
    return use_case


# --- model catalog --------------------------------------------------------------------------------------------


def _systems_of(use_cases: Iterable[UseCase]) -> frozenset[int]:
    return frozenset(uc.ai_system_id for uc in use_cases)


@transaction.atomic
def create_catalog_model(
    *, user: Any, reason: str = "", use_cases: Iterable[UseCase] | None = None, **fields: Any
) -> CatalogModel:
    """Add a model to the catalog. It starts unapproved, so it reaches no allow-list until approved."""
    require_perms(user, "registry.add_catalogmodel", message="You may not add catalog models.")
    _check_fields(fields, MODEL_FIELDS)
    model = CatalogModel(**fields)
    _save(model, user=user, reason=reason or "Model added to the catalog")
    if use_cases is not None:
        model.use_cases.set(use_cases)
    return model


@transaction.atomic
def update_catalog_model(
    *, model: CatalogModel, user: Any, reason: str = "", use_cases: Iterable[UseCase] | None = None, **fields: Any
) -> Change[CatalogModel]:
    """Change a catalog model. A change to what was approved (provider, gateway name, version, region) raises
    the spec revision, so the approval no longer matches and the model leaves every allow-list."""
    require_perms(user, "registry.change_catalogmodel", message="You may not change catalog models.")
    _check_fields(fields, MODEL_FIELDS)
    model = CatalogModel.objects.select_for_update().get(pk=model.pk)
    was_approved = model.is_approved
    changed = _changed(model, fields)
    for name, value in fields.items():
        setattr(model, name, value)
    spec_changed = bool(set(changed) & set(MODEL_SPEC_FIELDS))
    if spec_changed:
        model.spec_revision += 1
    _save(model, user=user, reason=reason or f"Changed {', '.join(changed) or 'nothing'}")
    before = set(model.use_cases.all())
    material = MaterialChange()
    if use_cases is not None:
        after = set(use_cases)
        if after != before:
            model._history_user = user  # type: ignore[attr-defined]
            model.use_cases.set(after)
            if was_approved and not spec_changed:
                affected = _systems_of(after ^ before)
                material |= MaterialChange(affected, (f"{model}: allowed use cases changed",))
    if was_approved and spec_changed:
        material |= MaterialChange(_systems_of(before), (f"{model}: changed since approval",))
    return Change(model, material)


@transaction.atomic
def request_model_approval(*, model: CatalogModel, user: Any, note: str = "") -> Decision:
    """Ask the committee to approve this model as it is now (four eyes: the requester cannot decide)."""
    require_perms(user, "registry.view_catalogmodel", message="You may not request model approvals.")
    model = CatalogModel.objects.with_approval().get(pk=model.pk)
    if model.approval_status == ModelApprovalStatus.APPROVED:
        raise Conflict("This model is already approved as it is.")
    return core_services.request_decision(
        kind=DecisionKind.MODEL_APPROVAL, subject=model, version=model.pin, requested_by=user, note=note
    )


def model_of(decision: Decision) -> CatalogModel:
    if decision.kind != DecisionKind.MODEL_APPROVAL:
        raise ServiceError("This decision is not a model approval.")
    return CatalogModel.objects.get(pk=int(decision.subject_id))


@transaction.atomic
def decide_model(*, decision: Decision, user: Any, approve: bool, rationale: str = "") -> Change[Decision]:
    """Approve or reject a model approval through the platform's `decide()`.

    The model's status is computed from the decision rows, so nothing else needs updating and the generic
    /decisions/{id}/approve/ cannot leave the model out of sync. What this adds is the material change: an
    approval puts the model on the allow-lists of its use cases' systems.
    """
    model = model_of(decision)
    decision = core_services.decide(decision=decision, user=user, approve=approve, rationale=rationale)
    material = MaterialChange()
    model = CatalogModel.objects.with_approval().get(pk=model.pk)
    if approve and model.is_approved:
        material = MaterialChange(_systems_of(model.use_cases.all()), (f"{model}: approved",))
    return Change(decision, material)


def approve_model(*, decision: Decision, user: Any, rationale: str = "") -> Change[Decision]:
    return decide_model(decision=decision, user=user, approve=True, rationale=rationale)


def reject_model(*, decision: Decision, user: Any, rationale: str) -> Change[Decision]:
    return decide_model(decision=decision, user=user, approve=False, rationale=rationale)
