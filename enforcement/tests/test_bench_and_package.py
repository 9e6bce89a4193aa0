"""The benchmark runs as a smoke test, and the package stays standalone."""

import ast
import sys
from pathlib import Path

import enforcement
import pytest
from enforcement import bench

PACKAGE_DIR = Path(enforcement.__file__).parent


def test_the_bench_prints_name_value_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--quick", "--iterations", "5", "--no-presidio"]) == 0
    lines = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    for name in (
        "decide_1kb_p50_ms",
        "decide_1kb_p99_ms",
        "decide_16kb_p50_ms",
        "decide_16kb_p99_ms",
        "engine_f1",
    ):
        assert float(lines[name]) >= 0
    assert lines["presidio_comparison"].startswith("skipped")


def test_the_bench_skips_the_comparison_without_presidio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "presidio_analyzer", None)
    monkeypatch.setitem(sys.modules, "tldextract", None)
    reason = bench._presidio()
    assert isinstance(reason, str) and reason.startswith("skipped")


def test_the_engine_imports_only_the_standard_library() -> None:
    for path in PACKAGE_DIR.glob("*.py"):
        if path.name == "bench.py":
            continue  # imports Presidio lazily, inside a try, for the comparison only
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in sys.stdlib_module_names | {"__future__"}, (path.name, name)
