"""Fixtures of the dashboard tests: a small organisation with an AI system, use cases, an approved model and a
known set of enforcement rollups over the last days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.dashboard.factories import rollup, rule_rollup
from tests.policies.factories import approved_model
from tests.registry.factories import AISystemFactory, UseCaseFactory


@pytest.fixture(autouse=True)
def _no_figure_cache(settings) -> None:
    # Tests write rollups directly between requests; the cache is tested on its own (test_cache.py).
    settings.AIMS_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def today() -> Any:
    return timezone.now().date()


@pytest.fixture
def owned_system(owner) -> Any:
    """The owner persona's AI system with one use case, `support-chat`, allowed to use gpt-4o-mini only."""
    system = AISystemFactory(
        owner=owner.user,
        name="Support assistant",
        risk_tier="limited",
        classification_rationale="Interacts with people: Art. 50(1) transparency.\nNot in Annex III.",
    )
    use_case = UseCaseFactory(ai_system=system, key="support-chat", name="Support chat")
    approved_model(use_case, gateway_name="gpt-4o-mini")
    return system


@pytest.fixture
def others_system(officer) -> Any:
    system = AISystemFactory(owner=officer.user, name="Credit scoring")
    UseCaseFactory(ai_system=system, key="credit-scoring", name="Credit scoring")
    return system


@pytest.fixture
def traffic(evidence_source, owned_system, today) -> dict[str, Any]:
    """Known rollups: yesterday 70 allow, 20 redact (5 EMAIL, 3 PHONE), 4 blocked requests for an unapproved
    model, 1 error with fail-open; today 10 allow. 40 days ago (outside a 30-day period) 1000 allow."""
    yesterday = today - timedelta(days=1)
    rollup(evidence_source, yesterday, decision="allow", events=70)
    rollup(
        evidence_source,
        yesterday,
        decision="redact",
        events=20,
        redaction_executed=20,
        redactions={"EMAIL_ADDRESS": 5, "PHONE_NUMBER": 3},
    )
    rollup(evidence_source, yesterday, decision="block", model="gpt-unapproved", events=4)
    rollup(evidence_source, yesterday, decision="error", events=1, fail_open=1)
    rollup(evidence_source, today, decision="allow", events=10)
    rollup(evidence_source, today - timedelta(days=40), decision="allow", events=1000)
    rule_rollup(evidence_source, yesterday, rule_id="model.allowlist", events=4)
    rule_rollup(evidence_source, yesterday, rule_id="deny.secrets", events=2)
    return {"yesterday": yesterday, "source": evidence_source}
