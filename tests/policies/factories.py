"""Building a register worth compiling, and publishing bundles the way officers and the committee do."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from aims.core.choices import DecisionKind, DecisionStatus
from policies import services
from policies.models import PolicyBundle
from registry.models import CatalogModel, UseCase
from tests.factories import DecisionFactory, UserFactory
from tests.registry.factories import CatalogModelFactory, UseCaseFactory


def approved_model(*use_cases: UseCase, gateway_name: str = "gpt-4o-mini", **fields: Any) -> CatalogModel:
    """A catalog model the committee approved (a MODEL_APPROVAL decision on its current pin)."""
    model = CatalogModelFactory(gateway_name=gateway_name, **fields)
    model.use_cases.add(*use_cases)
    DecisionFactory(
        kind=DecisionKind.MODEL_APPROVAL,
        subject_obj=model,
        subject_version=model.pin,
        status=DecisionStatus.APPROVED,
        decided_by=UserFactory(),
        decided_at=timezone.now(),
    )
    return model


def support_use_case(key: str = "support-summaries") -> UseCase:
    """A use case with an approved model, an unapproved one, and a PII policy using every operator."""
    use_case = UseCaseFactory(
        key=key,
        pii_policy={"EMAIL_ADDRESS": "replace", "PHONE_NUMBER": "mask", "UK_NHS": "hash", "CREDIT_CARD": "block"},
    )
    approved_model(use_case, gateway_name="gpt-4o-mini")
    CatalogModelFactory(gateway_name="gpt-unapproved").use_cases.add(use_case)
    return use_case


def published_bundle(requester: Any, approver: Any, note: str = "") -> PolicyBundle:
    bundle = services.request_publication(user=requester, note=note)
    services.decide_publication(bundle=bundle, user=approver, approve=True, rationale="ok")
    return bundle
