"""manage.py bench_pack --events N [--out-dir DIR]: build and verify an evidence pack of N events.

Seeds a fresh PostgreSQL database (named `aims_pack_bench`, next to the configured one) through the real
expansion and checkpoint signing, then times the pack build and verify.py in child processes and prints
`name: value` lines (evidence.pack.bench; targets: 1,000,000 events packed in under 60 s within 300 MB and
verified in under 30 s).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.pack import bench


class Command(BaseCommand):
    help = "Benchmark building and verifying an evidence pack of N events (PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--out-dir", type=Path, default=Path(settings.VAR_DIR) / "bench-pack")
        parser.add_argument("--database-name", default="aims_pack_bench", help="Dropped and recreated.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["events"] < 1:
            raise CommandError("--events must be at least 1.")
        try:
            figures = bench.run(
                options["events"], options["out_dir"], database_name=options["database_name"], echo=False
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        for name, value in figures.items():
            self.stdout.write(f"{name}: {value}")
