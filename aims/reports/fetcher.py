"""The only way a report's HTML can load anything: the project's own static files and `data:` URLs.

WeasyPrint follows every URL it finds (stylesheets, fonts, images). A report renders data people typed in, in a
worker that can reach the database, the broker and maybe the cloud metadata address, so a default fetcher would
let a stray `<img src>` read local files (`file:///etc/passwd`) or probe internal hosts (SSRF). This fetcher
refuses both: there is no network I/O and no file read outside the static files at all.

Report templates are rendered with `STATIC_BASE` as their base URL. It is an `https://` origin under the
reserved `.invalid` top-level domain (RFC 6761), so it can never resolve; it exists only so that ordinary
relative URLs (`reports/print.css`, and `fonts/…` inside that stylesheet) join the usual way. A URL under it is
mapped to a path and looked up with the staticfiles finders (the checkout's `static/`), then in STATIC_ROOT (a
deployment that ran collectstatic). Every other URL — `file:`, any other `http(s)` host, `ftp:` — is refused.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

STATIC_BASE = "https://static.aims.invalid/"


class RefusedURL(ValueError):
    """A report tried to load something other than a static file of the project or a data: URL."""


def static_path(url: str) -> Path:
    """The local file behind a STATIC_BASE URL; RefusedURL for anything else or anything missing."""
    if not url.startswith(STATIC_BASE):
        raise RefusedURL(f"refused: {url[:200]}")
    parts = urlsplit(url)
    relative = posixpath.normpath(unquote(parts.path).lstrip("/"))
    if relative.startswith(("..", "/")) or relative in {".", ""} or "\x00" in relative:
        raise RefusedURL(f"refused: {url[:200]}")
    found = finders.find(relative)
    if isinstance(found, list):  # find(all=True) is never asked for, but the API allows it
        found = found[0] if found else None
    if found:
        return Path(found)
    root = getattr(settings, "STATIC_ROOT", None)
    if root:
        candidate = (Path(root) / relative).resolve()
        if candidate.is_relative_to(Path(root).resolve()) and candidate.is_file():
            return candidate
    raise RefusedURL(f"not a static file of the project: {relative[:200]}")


@cache
def fetcher_class() -> type:
    """The fetcher class, built on first use: importing WeasyPrint costs every web process half a second, and
    only report rendering needs it."""
    # WeasyPrint narrates every step at INFO; a worker's log should show only what went wrong.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LockedDownFetcher(URLFetcher):
        """WeasyPrint's fetcher, reduced to static files and data: URLs."""

        def __init__(self) -> None:
            # Refusals raise inside fetch(); WeasyPrint logs them and renders without the resource.
            super().__init__(timeout=1, allowed_protocols={"https", "data"}, allow_redirects=False)

        def fetch(self, url: str, headers: dict | None = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                # urllib's DataHandler decodes in memory: no I/O.
                return super().fetch(url, headers)
            path = static_path(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})

    return LockedDownFetcher


def locked_down_fetcher() -> Any:
    return fetcher_class()()
