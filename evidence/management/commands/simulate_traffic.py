"""manage.py simulate_traffic --events N --days D [--source NAME ...] [--seed S]

Realistic decision events and heartbeats for the demo register, through the real ingestion path, with the
scenarios that make each automated check pass somewhere and fail somewhere (evidence.simulator).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence import simulator
from evidence.models import EvidenceSource


class Command(BaseCommand):
    help = "Simulate gateway traffic for the demo register through the real ingestion path."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=20_000, help="Decision events in all (about).")
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--source", action="append", help="Source name (repeatable); default: all active.")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--silent-source", help="The source that goes silent for some hours (a gap).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["events"] < 1 or not 1 <= options["days"] <= 180:
            raise CommandError("--events must be positive and --days between 1 and 180.")
        sources = EvidenceSource.objects.filter(is_active=True).order_by("name")
        if options["source"]:
            sources = sources.filter(name__in=options["source"])
        sources = list(sources)
        if not sources:
            raise CommandError("No active evidence source to simulate; create one with create_evidence_source.")
        profiles = simulator.register_profiles()
        if not profiles:
            raise CommandError("The register has no active use case to simulate traffic for.")
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        bundle, revision = simulator.current_policy()
        scenario = simulator.Scenario(silent_source=options["silent_source"] or sources[-1].name)
        plan = simulator.Plan(
            events=options["events"],
            days=options["days"],
            end=end,
            sources=sources,
            use_cases=profiles,
            revision=revision,
            bundle=bundle,
            seed=options["seed"],
            scenario=scenario,
        )
        totals = simulator.run(plan)
        self.stdout.write(
            f"simulated {options['days']} days for {len(sources)} sources: {totals['accepted']} accepted, "
            f"{totals['duplicates']} duplicates, {totals['rejected']} rejected"
        )
