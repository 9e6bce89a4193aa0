"""manage.py rebuild_rollups [--source NAME ...] [--from DATE --to DATE]

Recompute rollups and node gaps from the stored events (evidence.rollups.rebuild): after a change of what is
counted, or to confirm that live expansion kept them right. The dates are UTC days, both included; without them
the whole stored chain is replayed. Each source is rebuilt under its chain lock, streaming its events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence import rollups


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Recompute evidence rollups and node gaps from the stored events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", action="append", help="Source name (repeatable); default: all.")
        parser.add_argument("--from", dest="first", help="First UTC day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="last", help="Last UTC day, included (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        start = end = None
        if options["first"]:
            start = datetime.combine(_day(options["first"]), time(0), tzinfo=UTC)
        if options["last"]:
            end = datetime.combine(_day(options["last"]), time(0), tzinfo=UTC) + timedelta(days=1)
        if start and end and end <= start:
            raise CommandError("--to must not be before --from.")
        sources = rollups.sources_named(options["source"])
        if options["source"] and len(sources) != len(set(options["source"])):
            raise CommandError("Unknown source name.")
        for source in sources:
            result = rollups.rebuild(source, start=start, end=end)
            self.stdout.write(
                f"{result.source}: {result.events} decisions, {result.rollups} rollups, "
                f"{result.rule_rollups} rule rollups, {result.gaps} gaps"
            )
