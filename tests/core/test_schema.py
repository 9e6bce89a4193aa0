"""The OpenAPI schema generates cleanly: every view, serializer and enum is described without guessing."""

from __future__ import annotations

from django.core.management import call_command


def test_the_schema_validates_without_a_single_warning(tmp_path) -> None:
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "openapi: 3" in text
    assert "/api/v1/decisions/" in text
