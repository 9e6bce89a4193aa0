"""manage.py run_control_checks [--date D | --from D --to D] [--check NAME ...]

Run the automated control checks (evidence.checks) on demand: the previous UTC day by default, one UTC day, or
each UTC day of a range (both ends included), recording one result per check and control implementation.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from aims.core.exceptions import ServiceError
from evidence import checks


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from exc


class Command(BaseCommand):
    help = "Run the automated control checks over evidence rollups for past UTC days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="One UTC day (YYYY-MM-DD); default: yesterday.")
        parser.add_argument("--from", dest="first", help="First UTC day of a range.")
        parser.add_argument("--to", dest="last", help="Last UTC day of a range, included.")
        parser.add_argument("--check", action="append", help="Only this check (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"] and (options["first"] or options["last"]):
            raise CommandError("Give --date or --from/--to, not both.")
        if bool(options["first"]) != bool(options["last"]):
            raise CommandError("--from and --to go together.")
        yesterday = timezone.now().astimezone(UTC).date() - timedelta(days=1)
        first = last = _day(options["date"]) if options["date"] else yesterday
        if options["first"]:
            first, last = _day(options["first"]), _day(options["last"])
        if last < first:
            raise CommandError("--to must not be before --from.")
        outcomes: Counter[str] = Counter()
        day = first
        try:
            while day <= last:
                for result in checks.run_checks(*checks.day_period(day), checks=options["check"]):
                    outcomes[result.outcome] += 1
                day += timedelta(days=1)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"checked {first} to {last}: {outcomes['pass']} pass, {outcomes['fail']} fail")
