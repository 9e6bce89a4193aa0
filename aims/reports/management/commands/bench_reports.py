"""Benchmark of reports (issue 10, item 7): time a report of at least 50 pages, then the evidence pack figures.

    manage.py bench_reports                      # report_50_pages_s, then the pack bench with 1,000,000 events
    manage.py bench_reports --events 2000        # a small smoke run of the pack part
    manage.py bench_reports --skip-pack

The report is `control-effectiveness` (one section per control, with a table of evidence per day) over the
database's own data, read with every read right, rendered exactly as a run renders it (data, template,
WeasyPrint, PDF/A-3b). When the data is too small for `--min-pages`, the controls are repeated, marked
"(copy n)", until the PDF reaches it: the figure is for a real 50-page layout of real rows, not for a bigger
organisation. The pack figures come from `evidence.pack.bench.run` (the evidence app), which needs PostgreSQL;
without it, or before it is installed, the pack part says why it was skipped.

Printed as `name: value` lines: report_kind, report_pages, report_context_s, report_render_s,
report_50_pages_s (context + template + PDF, wall time), report_50_pages_cpu_s (the same, CPU time of the
process), report_pdf_mb, load_average_1m; then the pack bench's own lines.
"""

from __future__ import annotations

import copy
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.loader import render_to_string

from aims.reports import kinds, rendering
from aims.reports.kinds.base import DATE_FROM, DATE_TO, SystemReader, validate_parameters


def repeated(build: Any, copies: int) -> Any:
    """The kind's build_context with its controls repeated `copies` times (sections follow)."""

    def build_context(params: dict[str, Any], user: Any) -> dict[str, Any]:
        data = build(params, user)
        controls = []
        for n in range(copies):
            for row in data["controls"]:
                item = copy.deepcopy(row)
                if n:
                    item["name"] = f"{item['name']} (copy {n})"
                controls.append(item)
        data["controls"] = controls
        data["sections"] = [data["sections"][0]] + [
            {"id": f"control-{i}", "title": f"{row['code']} {row['name']}"} for i, row in enumerate(controls)
        ]
        return data

    return build_context


class Command(BaseCommand):
    help = "Measure rendering a report of at least 50 pages, and (from the evidence app) building packs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-pages", type=int, default=50)
        parser.add_argument("--from", dest="date_from", help="Period of the report (default: the last 30 days).")
        parser.add_argument("--to", dest="date_to")
        parser.add_argument("--events", type=int, default=1_000_000, help="Events for the pack bench.")
        parser.add_argument("--skip-pack", action="store_true")
        parser.add_argument("--skip-report", action="store_true", help="Only the pack figures.")
        parser.add_argument("--out", default="", help="Folder for the PDF and the pack bench (default: a temp dir).")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"] or tempfile.mkdtemp(prefix="aims-bench-reports-"))
        out.mkdir(parents=True, exist_ok=True)
        if not options["skip_report"]:
            self.bench_report(options, out)
        if not options["skip_pack"]:
            self.bench_pack(options["events"], out / "pack")

    def line(self, name: str, value: object) -> None:
        self.stdout.write(f"{name}: {value}")

    def bench_report(self, options: dict[str, Any], out: Path) -> None:
        base = kinds.get("control-effectiveness")
        assert base is not None
        raw = {DATE_FROM: options["date_from"], DATE_TO: options["date_to"]}
        params = validate_parameters(base, {k: v for k, v in raw.items() if v})
        reader = SystemReader()
        rendering.html_to_pdf("<p>warm-up: fonts and WeasyPrint's own stylesheets load once per process</p>")
        copies, pages = 1, 0
        for _ in range(6):
            spec = replace(base, build_context=repeated(base.build_context, copies)) if copies > 1 else base
            started, cpu_started = time.perf_counter(), time.process_time()
            data, doc = rendering.build_document(spec, params, reader, reference="bench_reports")
            built = time.perf_counter()
            html = render_to_string(spec.template, {"data": data, "doc": doc})
            pdf, pages = rendering.html_to_pdf(html)
            finished, cpu_finished = time.perf_counter(), time.process_time()
            if pages >= options["min_pages"]:
                break
            # Sections scale the page count almost linearly; aim a little above the minimum.
            per_copy = max(pages - 3, 1) / copies
            copies = max(copies + 1, int((options["min_pages"] - 3) / per_copy * 1.1) + 1)
        (out / "report.pdf").write_bytes(pdf)
        self.line("report_kind", base.key)
        self.line("report_period", f"{params[DATE_FROM]}..{params[DATE_TO]}")
        self.line("report_copies", copies)
        self.line("report_pages", pages)
        self.line("report_context_s", f"{built - started:.2f}")
        self.line("report_render_s", f"{finished - built:.2f}")
        self.line("report_50_pages_s", f"{finished - started:.2f}")
        # CPU time of this process: on a shared machine the wall time above also measures the neighbours.
        self.line("report_50_pages_cpu_s", f"{cpu_finished - cpu_started:.2f}")
        self.line("report_pdf_mb", f"{len(pdf) / 1e6:.2f}")
        self.line("load_average_1m", f"{os.getloadavg()[0]:.1f}")

    def bench_pack(self, events: int, out: Path) -> None:
        try:
            from evidence.pack import bench
        except ImportError:
            self.line("pack", "skipped (evidence.pack.bench is not installed)")
            return
        from django.conf import settings

        # Its own scratch database, named after ours, so two people benchmarking on one server do not collide.
        scratch = f"{settings.DATABASES['default']['NAME']}_pack_bench"[:60]
        try:
            figures = bench.run(events=events, out_dir=out, database_name=scratch, echo=False)
        except RuntimeError as exc:  # e.g. it needs PostgreSQL
            self.line("pack", f"skipped ({exc})")
            return
        for name, value in figures.items():
            self.line(name, value)
