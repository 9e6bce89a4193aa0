"""factory_boy factories for the register. They write rows directly; tests of behaviour go through services."""

from __future__ import annotations

from datetime import date

import factory

from aims.core.choices import DecisionKind
from registry.models import AISystem, CatalogModel, Supplier, SupplierAssessment, UseCase
from tests.factories import DecisionFactory, UserFactory


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    kind = "model_provider"
    country = "DE"


class SupplierAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupplierAssessment

    supplier = factory.SubFactory(SupplierFactory)
    assessed_on = date(2026, 1, 10)
    assessor = factory.SubFactory(UserFactory)
    outcome = "approved"
    next_due = date(2027, 1, 10)


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystem

    name = factory.Sequence(lambda n: f"AI system {n}")
    purpose = "Scores loan applications."
    owner = factory.SubFactory(UserFactory)
    business_unit = "Retail Lending"
    lifecycle_stage = "operation"
    ai_role = "deployer"
    deployment = "vendor_saas"
    status = "active"
    next_review_on = date(2027, 6, 30)
    human_oversight = "in_the_loop"


class UseCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UseCase

    ai_system = factory.SubFactory(AISystemFactory)
    key = factory.Sequence(lambda n: f"use-case-{n}")
    name = factory.Sequence(lambda n: f"Use case {n}")
    data_categories = ["personal"]
    redaction_required = True
    pii_policy = {"EMAIL_ADDRESS": "mask"}


class CatalogModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogModel

    provider = "Azure OpenAI"
    gateway_name = factory.Sequence(lambda n: f"gpt-test-{n}")
    version = "2024-07-18"
    hosting_region = "EU (Sweden Central)"


def pending_model_decision(model: CatalogModel, requested_by) -> object:
    """A pending MODEL_APPROVAL decision on the model's current pin, as request_model_approval makes it."""
    return DecisionFactory(
        kind=DecisionKind.MODEL_APPROVAL, subject_obj=model, subject_version=model.pin, requested_by=requested_by
    )
