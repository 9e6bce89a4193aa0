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


def check_demo_days(days: int) -> None:
    """Expansion filled the rollups (rebuilt here only if a source with events has none), then the control
    checks run for each simulated UTC day, so the SoA shows live status. Both steps are idempotent."""
    from datetime import UTC, timedelta

    from django.utils import timezone

    from evidence import checks, rollups
    from evidence.models import Event, Rollup

    for source in EvidenceSource.objects.filter(is_active=True):
        if not Rollup.objects.filter(source=source).exists() and Event.objects.filter(source=source).exists():
            rollups.rebuild(source)
    today = timezone.now().astimezone(UTC).date()
    checks.run_checks_for_days(today - timedelta(days=days), today - timedelta(days=1))


def after_all() -> None:
    """Traffic needs the published policy bundle, which a later app seeds: run once everything else has."""
    call_command("simulate_traffic", "--events", "20000", "--days", "30", "--silent-source", "litellm-us-prod")
    check_demo_days(30)
    # Checkpoints: sign every past day of the demo's traffic (and record the local key) once it is stored.
    from evidence import checkpoints

    checkpoints.sign_due_checkpoints()
