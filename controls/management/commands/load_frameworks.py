"""manage.py load_frameworks: load or update the control catalog from controls/data/*.yaml (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from controls import services
from controls.loader import DATA_DIR, CatalogError


class Command(BaseCommand):
    help = "Load the frameworks, crosswalk and enforcement metrics; a changed data version updates them in place."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DATA_DIR,
            help="Directory holding the catalog's YAML files (default: the project's copy in controls/data/).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = services.load_frameworks(data_dir=options["data_dir"])
        except CatalogError as exc:
            raise CommandError(f"The catalog data is inconsistent: {exc}") from exc
        self.stdout.write(report.summary())
