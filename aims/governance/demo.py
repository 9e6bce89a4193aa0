"""Demo governance data: the organisation profile, with an approved first version."""

from __future__ import annotations

from aims.accounts.models import User
from aims.core import services as core_services
from aims.core.choices import DecisionKind
from aims.core.models import Decision
from aims.governance import services
from aims.governance.models import OrganisationProfile


def seed() -> OrganisationProfile:
    officer = User.objects.get(username="officer")
    committee = User.objects.get(username="committee")
    profile = OrganisationProfile.objects.first()
    if profile is None:
        profile = services.update_organisation_profile(
            user=officer,
            reason="Initial profile",
            name="Northwind Financial",
            legal_name="Northwind Financial Services AG",
            sector="finance",
            country="DE",
            purpose=(
                "Northwind uses AI in credit decisions, customer service and fraud detection. The AIMS makes "
                "sure each system is registered, assessed, controlled and evidenced under ISO/IEC 42001 and "
                "the EU AI Act."
            ),
            aims_contact_email="aims@northwind.example",
        )
    if not Decision.objects.filter(kind=DecisionKind.ORGANISATION_PROFILE).exists():
        decision = services.request_profile_approval(profile=profile, user=officer, note="First approval.")
        core_services.decide(decision=decision, user=committee, approve=True, rationale="Reflects our scope.")
    return profile
