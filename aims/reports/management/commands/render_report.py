"""Render one report synchronously, without a run row or a worker: for operators, scripts and CI smoke runs.

    manage.py render_report soa --as-of 2026-06-30 --out soa.pdf
    manage.py render_report control-effectiveness --from 2026-06-01 --to 2026-06-30 --out ce.pdf
    manage.py render_report evidence-pack --from 2026-06-01 --to 2026-06-30 --seed 7 --out pack.zip

Records are read as the user named by --user (scoped like the pages), or with every read right by default.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.core.exceptions import ServiceError
from aims.reports import kinds, services
from aims.reports.kinds.base import AS_OF, DATE_FROM, DATE_TO, SEED, SystemReader, validate_parameters


class Command(BaseCommand):
    help = "Render a report (PDF/A-3b, or an evidence pack ZIP) to a file, synchronously."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[spec.key for spec in kinds.all_kinds()])
        parser.add_argument("--as-of", dest="as_of", help="YYYY-MM-DD (SoA).")
        parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD, first day of the period.")
        parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD, last day of the period.")
        parser.add_argument("--seed", type=int, help="Evidence packs: the sampling seed.")
        parser.add_argument("--user", help="Render as this user (default: every read right).")
        parser.add_argument("--out", required=True, help="The file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = kinds.get(options["kind"])
        assert spec is not None
        user: Any = SystemReader()
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {options['user']!r}")
            if not spec.may_request(user):
                raise CommandError(f"{options['user']} may not ask for the {spec.key} report")
        raw = {name: options[name] for name in (AS_OF, DATE_FROM, DATE_TO, SEED) if options[name] is not None}
        try:
            params = validate_parameters(spec, raw)
        except ServiceError as exc:
            problems = "; ".join(f"{k.removeprefix('parameters.')}: {' '.join(v)}" for k, v in exc.fields.items())
            raise CommandError(f"{exc.message} {problems}") from exc
        out = Path(options["out"])
        started = time.perf_counter()
        try:
            rendered = services.produce(spec, params, user, out, reference=f"{spec.key} rendered by manage.py")
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.perf_counter() - started
        digest = hashlib.sha256(out.read_bytes()).hexdigest()
        self.stdout.write(f"wrote: {out}")
        self.stdout.write(f"pages: {rendered.pages}")
        self.stdout.write(f"sha256: {digest}")
        self.stdout.write(f"data_sha256: {rendered.data_sha256}")
        self.stdout.write(f"seconds: {elapsed:.2f}")
