"""manage.py build_evidence_pack --from DATE --to DATE --out FILE.zip [--seed N] [--source NAME ...]

Builds the evidence pack of whole UTC days synchronously (docs/evidence-pack.md) and prints `name: value` lines:
the pack's SHA-256 and size, the counts, and the fingerprints an auditor pins with verify.py. Without
--summary FILE.pdf the report framework's summary is rendered when it offers one; otherwise the pack has none
and its manifest says so.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.pack import PackError, build_pack


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Build the evidence pack of a period (whole UTC days) into a ZIP that verify.py checks offline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="date_from", type=_date, required=True, help="First UTC day.")
        parser.add_argument("--to", dest="date_to", type=_date, required=True, help="Last UTC day (signed).")
        parser.add_argument("--out", required=True, help="Where to write the ZIP.")
        parser.add_argument("--seed", type=int, help="Seed of the event sample (random when omitted).")
        parser.add_argument("--sample-size", type=int, default=25, help="Events sampled per control and source.")
        parser.add_argument("--source", action="append", help="Only this source (repeatable).")
        parser.add_argument("--summary", type=Path, help="A summary PDF to include as summary.pdf.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = options["summary"].read_bytes() if options["summary"] else None
        verbosity = options["verbosity"]

        def progress(percent: int) -> None:
            if verbosity > 1:
                self.stderr.write(f"{percent}%")

        try:
            result = build_pack(
                out=options["out"],
                date_from=options["date_from"],
                date_to=options["date_to"],
                summary_pdf=summary,
                seed=options["seed"],
                progress=progress,
                sources=options["source"],
                sample_size=options["sample_size"],
            )
        except PackError as error:
            raise CommandError(error.message) from None
        manifest = result.manifest
        out = self.stdout.write
        out(f"pack: {options['out']}")
        out(f"sha256: {result.sha256}")
        out(f"size: {result.size}")
        out(f"period: {manifest['period']['from']} {manifest['period']['to']}")
        out(f"seed: {manifest['parameters']['seed']}")
        for name, count in manifest["counts"].items():
            out(f"{name}: {count}")
        for key in manifest["keys"]:
            out(f"key: {key['key_id']} {key['fingerprint']}")
        if manifest["summary"] is None:
            out(f"summary: {manifest['summary_note']}")
