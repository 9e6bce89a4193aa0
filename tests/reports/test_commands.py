"""manage.py render_report and bench_reports."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from tests.reports.pdftext import pdf_text


def test_render_report_writes_the_pdf_and_prints_its_hash(db, tmp_path) -> None:
    out = tmp_path / "incidents.pdf"
    stdout = io.StringIO()
    call_command(
        "render_report", "incidents", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(out), stdout=stdout
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert f"sha256: {hashlib.sha256(data).hexdigest()}" in stdout.getvalue()
    assert "2026-01-01 to 2026-01-31" in pdf_text(data)


def test_render_report_refuses_bad_dates_and_users_without_the_right(db, tmp_path, owner) -> None:
    with pytest.raises(CommandError, match="start on or before"):
        call_command(
            "render_report", "incidents", "--from", "2026-02-01", "--to", "2026-01-01", "--out", str(tmp_path / "x")
        )
    with pytest.raises(CommandError, match="may not"):
        call_command("render_report", "evidence-pack", "--user", "owner", "--out", str(tmp_path / "x"))


def test_bench_reports_prints_its_figures_and_says_why_the_pack_part_was_skipped(db, tmp_path) -> None:
    stdout = io.StringIO()
    call_command("bench_reports", "--min-pages", "1", "--events", "100", "--out", str(tmp_path), stdout=stdout)
    lines = dict(line.split(": ", 1) for line in stdout.getvalue().splitlines())
    assert float(lines["report_50_pages_s"]) > 0
    assert int(lines["report_pages"]) >= 1
    assert (tmp_path / "report.pdf").exists()
    # On SQLite the pack bench (it needs PostgreSQL) is skipped with its reason rather than failing.
    assert "pack" in lines or "pack_1m_events_s" in lines
