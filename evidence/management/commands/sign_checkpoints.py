"""manage.py sign_checkpoints [--source NAME] [--until DATE] [--push]: sign the due daily checkpoints."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence import checkpoints
from evidence.models import EvidenceSource


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Sign each source's daily checkpoints up to yesterday UTC (days with pending batches wait)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="Sign only this source.")
        parser.add_argument("--until", type=_date, help="Last UTC day to sign (at most yesterday).")
        parser.add_argument("--push", action="store_true", help="Push to the configured sinks now.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = None
        if options["source"]:
            source = EvidenceSource.objects.filter(name=options["source"]).first()
            if source is None:
                raise CommandError(f"No evidence source named {options['source']!r}.")
        started = time.perf_counter()
        signed = checkpoints.sign_due_checkpoints(source=source, until=options["until"])
        elapsed = time.perf_counter() - started
        record = checkpoints.ensure_key_record()
        self.stdout.write(f"key: {record.key_id} {record.fingerprint}")
        self.stdout.write(f"checkpoints_signed: {len(signed)}")
        self.stdout.write(f"events_covered: {sum(c.count for c in signed)}")
        self.stdout.write(f"sign_seconds: {elapsed:.3f}")
        if options["push"]:
            for name, value in checkpoints.push_due().items():
                self.stdout.write(f"push_{name}: {value}")
