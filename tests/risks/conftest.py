"""Fixtures of the risks tests: systems owned by the owner and by the officer, risks and assessments of them."""

from __future__ import annotations

import pytest

from tests.registry.factories import AISystemFactory
from tests.risks.factories import ImpactAssessmentFactory, RiskFactory


@pytest.fixture
def own_system(owner):
    return AISystemFactory(owner=owner.user, name="CreditLens", risk_tier="high")


@pytest.fixture
def other_system(officer):
    return AISystemFactory(owner=officer.user, name="Sentinel")


@pytest.fixture
def own_risk(own_system):
    return RiskFactory(ai_system=own_system, title="Bias against older applicants")


@pytest.fixture
def other_risk(other_system):
    return RiskFactory(ai_system=other_system, title="Card payments blocked abroad")


@pytest.fixture
def high_risk(own_system):
    """Residual 3 x 4 = 12: high, above the owner's threshold under the default criteria."""
    return RiskFactory(
        ai_system=own_system,
        title="Gender bias in ranking",
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=3,
        residual_impact=4,
    )


@pytest.fixture
def own_assessment(own_system):
    return ImpactAssessmentFactory(ai_system=own_system)
