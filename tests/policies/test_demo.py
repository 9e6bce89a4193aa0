"""The demo publishes one approved bundle from the demo register, once."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from policies import demo, selectors
from policies.models import PolicyBundle


@pytest.mark.django_db
def test_demo_publishes_one_bundle_requested_by_the_officer_and_approved_by_the_committee() -> None:
    call_command("seed_demo", verbosity=0)
    current = selectors.current_bundle()
    assert current is not None
    decision = Decision.objects.get(kind=DecisionKind.POLICY_BUNDLE, subject_id=str(current.pk))
    assert decision.status == DecisionStatus.APPROVED
    assert decision.requested_by.username == "officer" and decision.decided_by.username == "committee"
    assert current.content["use_cases"], "the demo register's use cases are in the bundle"
    assert any(uc["allowed_models"] for uc in current.content["use_cases"].values())
    # The controls demo loaded the catalog first, so each rule names the Annex A controls it implements.
    assert {"A.9.4", "A.10.3"} <= set(current.content["rules"]["R-MODEL"]["controls"])

    assert demo.seed() == {"bundles": 0}  # idempotent
    assert PolicyBundle.objects.count() == 1
