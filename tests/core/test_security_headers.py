"""The security baseline: CSP without inline script or style, no framing, no sniffing, and nothing from a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PAGES = ["home", "governance:organisation", "core:decision-list", "accounts:tokens"]


def _directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("page", PAGES)
def test_pages_carry_a_strict_content_security_policy(officer, profile, page: str) -> None:
    response = officer.client().get(reverse(page))
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    for directive in ("script-src", "style-src", "default-src"):
        assert csp[directive] == ["'self'"], directive
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("page", PAGES)
def test_rendered_pages_have_no_inline_script_or_style(officer, profile, page: str) -> None:
    html = officer.client().get(reverse(page)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_no_template_has_inline_script_style_or_remote_assets() -> None:
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert "<style" not in text, path
        assert not re.search(r"\sstyle=", text), path
        assert not re.search(r"https?://", text), f"{path} loads or links something remote"


def test_the_api_docs_page_runs_under_the_csp_with_local_assets(officer) -> None:
    response = officer.client().get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(src.startswith("/") for src in sources), sources
    script = officer.client().get(reverse("api:docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_api_docs_assets_are_served_locally(officer, client) -> None:
    html = officer.client().get(reverse("api:docs")).content.decode()
    bundle = re.search(r'src="(/static/[^"]*swagger-ui-bundle\.js)"', html)
    assert bundle
    from django.contrib.staticfiles import finders

    assert finders.find(bundle.group(1).removeprefix("/static/"))


def test_production_settings_are_secure(monkeypatch) -> None:
    import importlib

    import aims.settings as live

    monkeypatch.setenv("DJANGO_DEBUG", "0")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "aims.example.com")
    try:
        prod = importlib.reload(live)
        assert prod.DEBUG is False
        assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
        assert prod.SECURE_HSTS_SECONDS >= 31536000
        assert prod.SECURE_SSL_REDIRECT
        assert prod.ALLOWED_HOSTS == ["aims.example.com"]
    finally:
        monkeypatch.undo()
        importlib.reload(live)
