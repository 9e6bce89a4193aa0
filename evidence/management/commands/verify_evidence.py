"""manage.py verify_evidence [--source NAME] [--from DATE --to DATE]: recompute the hash chains and check the
signed daily checkpoints.

Exits non-zero on the first modified, deleted, inserted or reordered event, naming its chain index, and on any
checkpoint whose signature, prev_signature chain, Merkle root, count or index range does not verify, or when a
day is missing between the first and the last checkpoint.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.checkpoints import recorded_public_keys, verify_checkpoints
from evidence.models import EvidenceSource
from evidence.verification import verify_source


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = (
        "Recompute each source's hash chain from the stored canonical events and check its signed checkpoints; "
        "report the problems found."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="Verify only this source.")
        parser.add_argument("--from", dest="start", type=_date, help="First UTC day of received events.")
        parser.add_argument("--to", dest="end", type=_date, help="Last UTC day of received events.")

    def handle(self, *args: Any, **options: Any) -> None:
        sources = EvidenceSource.objects.order_by("name")
        if options["source"]:
            sources = sources.filter(name=options["source"])
            if not sources.exists():
                raise CommandError(f"No evidence source named {options['source']!r}.")
        if options["start"] and options["end"] and options["start"] > options["end"]:
            raise CommandError("--from must not be after --to.")
        failures = []
        keys = recorded_public_keys()
        for source in sources:
            report = verify_source(source, start=options["start"], end=options["end"])
            span = f"{report.first_index}..{report.last_index}" if report.first_index is not None else "empty"
            if report.ok:
                self.stdout.write(f"ok {source.name}: {report.checked} events, chain {span}")
            else:
                self.stdout.write(f"FAIL {source.name}: {report.problem}")
                failures.append(f"{source.name}: {report.problem}")
            checked = verify_checkpoints(source, keys, start=options["start"], end=options["end"])
            days = f"{checked.first_day}..{checked.last_day}" if checked.checked else "none"
            if checked.ok:
                self.stdout.write(f"ok {source.name}: {checked.checked} checkpoints, days {days}")
            else:
                for problem in checked.problems:
                    self.stdout.write(f"FAIL {source.name}: {problem}")
                failures.append(f"{source.name}: {checked.problems[0]}")
        if failures:
            raise CommandError("evidence verification failed: " + "; ".join(failures))
