"""Demo evidence: two gateway deployments, and (after every app has seeded) 30 days of their traffic."""

from __future__ import annotations

from django.core.management import call_command

from aims.accounts.models import User
from evidence import services
from evidence.models import EvidenceSource

SOURCES = [
    ("litellm-eu-prod", "LiteLLM proxy, EU region, production"),
    ("litellm-us-prod", "LiteLLM proxy, US region, production"),
]


def seed() -> list[EvidenceSource]:
    officer = User.objects.get(username="officer")
    try:
        from registry.models import UseCase

        use_cases = list(UseCase.objects.filter(active=True).order_by("key"))
    except ImportError:
        use_cases = []
    sources = []
    for number, (name, description) in enumerate(SOURCES):
        source = EvidenceSource.objects.filter(name=name).first()
        if source is None:
            source = services.create_source(
                user=officer,
                name=name,
                owner=officer,
                description=description,
                check_permission=False,
                use_cases=use_cases[number :: len(SOURCES)],
            )
        sources.append(source)
    return sources


def after_all() -> None:
    """Traffic needs the published policy bundle, which a later app seeds: run once everything else has."""
    call_command("simulate_traffic", "--events", "20000", "--days", "30", "--silent-source", "litellm-us-prod")
    # Checkpoints: sign every past day of the demo's traffic (and record the local key) once it is stored.
    from evidence import checkpoints

    checkpoints.sign_due_checkpoints()
