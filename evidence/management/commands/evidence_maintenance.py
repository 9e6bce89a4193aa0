"""manage.py evidence_maintenance [--partitions] [--retention [--days N]] [--database ALIAS]

The maintenance path of the event store: create monthly partitions ahead, and drop whole months past the
retention period (never less than 183 days). In production run it with `--database maintenance`
(DATABASE_MAINTENANCE_URL: the table owner), since the web role may not drop or delete events.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence import partitions


class Command(BaseCommand):
    help = "Create event partitions ahead and apply evidence retention."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partitions", action="store_true", help="Create monthly partitions ahead.")
        parser.add_argument("--months-ahead", type=int, default=3)
        parser.add_argument("--retention", action="store_true", help="Drop months past the retention period.")
        parser.add_argument("--days", type=int, help="Retention in days (default: AIMS_EVIDENCE_RETENTION_DAYS).")
        parser.add_argument("--database", default="default", help="Database alias, e.g. maintenance.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["partitions"] and not options["retention"]:
            raise CommandError("Say what to do: --partitions, --retention, or both.")
        if options["partitions"]:
            created = partitions.ensure_partitions(months_ahead=options["months_ahead"], using=options["database"])
            self.stdout.write(f"partitions created: {', '.join(created) if created else 'none needed'}")
        if options["retention"]:
            days = options["days"]
            if days is not None and days < partitions.MIN_RETENTION_DAYS:
                raise CommandError(f"Retention is at least {partitions.MIN_RETENTION_DAYS} days.")
            result = partitions.apply_retention(days=days, using=options["database"])
            self.stdout.write(
                f"retention cutoff {result.cutoff:%Y-%m-%d}: dropped {partitions.describe(result)}"
                + (f", deleted {result.deleted_rows} rows" if result.deleted_rows else "")
            )
