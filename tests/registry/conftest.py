"""Fixtures of the register's tests: a system owned by the owner persona, one owned by the officer, use cases."""

from __future__ import annotations

import pytest

from tests.registry.factories import AISystemFactory, CatalogModelFactory, SupplierFactory, UseCaseFactory


@pytest.fixture
def own_system(owner):
    return AISystemFactory(owner=owner.user, name="CreditLens")


@pytest.fixture
def other_system(officer):
    return AISystemFactory(owner=officer.user, name="Sentinel")


@pytest.fixture
def own_use_case(own_system):
    return UseCaseFactory(ai_system=own_system, key="consumer-credit-scoring")


@pytest.fixture
def other_use_case(other_system):
    return UseCaseFactory(ai_system=other_system, key="card-fraud-scoring")


@pytest.fixture
def catalog_model(own_use_case):
    model = CatalogModelFactory(gateway_name="gpt-4o-mini")
    model.use_cases.add(own_use_case)
    return model


@pytest.fixture
def supplier(db):
    return SupplierFactory(name="Mistral AI")
