"""Rendering a report: its kind's data, hashed; the print template around it; WeasyPrint to PDF/A-3b.

Every report shares one frame (templates/reports/pdf/base.html with static/reports/print.css): a cover with the
signing key's fingerprint, a document-control table (title, version, period, generated at and by, the SHA-256
of the data), a table of contents with page numbers, running headers and footers, and embedded fonts. The PDF is
PDF/A-3b (ISO 19005-3, conformance B: archival, with an sRGB output intent and every font embedded), so that a
report kept as evidence still renders the same years later. WeasyPrint only ever loads what the locked-down
fetcher allows (fetcher.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import rfc8785
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from aims.reports.fetcher import STATIC_BASE, locked_down_fetcher
from aims.reports.kinds.base import RAW, KindSpec, Params, Progress, describe_period, jsonable, username, when

logger = logging.getLogger(__name__)

FORMAT_VERSION = "AIMS report format 1"
PDF_VARIANT = "pdf/a-3b"
NO_SIGNING_KEY = "no signing key"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    data_sha256: str
    data: dict[str, Any]


def data_digest(data: Any) -> str:
    """SHA-256 of the RFC 8785 canonical JSON of the report's data: the same data gives the same hash."""
    return hashlib.sha256(rfc8785.dumps(data)).hexdigest()


def signing_fingerprint() -> str:
    """The current signing key's fingerprint, printed on every cover (DESIGN.md, Keys).

    Asked of the evidence app's checkpoints module when it has one; otherwise the current key row it records,
    or the configured key file. Reports never fail for want of a key: they say so instead.
    """
    try:
        from evidence.checkpoints import current_fingerprint  # type: ignore[attr-defined]
    except ImportError:
        current_fingerprint = None
    if current_fingerprint is not None:
        try:
            value = current_fingerprint()
        except Exception:  # a key that cannot be read must not stop a report; the cover says so
            logger.warning("the signing key's fingerprint could not be read", exc_info=True)
            value = None
        return str(value) if value else NO_SIGNING_KEY
    try:
        from evidence.models import SigningKey

        row = SigningKey.objects.filter(retired_at__isnull=True).first()
        if row is not None:
            return row.fingerprint
    except Exception:  # the key table may not be migrated yet on this deployment
        logger.debug("no signing key table", exc_info=True)
    path = getattr(settings, "AIMS_SIGNING_KEY_FILE", None)
    if path:
        try:
            from pathlib import Path

            from evidence import signing

            return signing.load(Path(path)).fingerprint
        except (ImportError, OSError, ValueError):
            logger.warning("the signing key file %s could not be read", path)
    return NO_SIGNING_KEY


def organisation_name() -> str:
    try:
        from aims.governance.models import OrganisationProfile

        profile = OrganisationProfile.objects.first()
    except Exception:  # a report must not depend on the profile existing
        profile = None
    return profile.name if profile is not None and getattr(profile, "name", "") else "The organisation"


def build_document(
    spec: KindSpec, params: Params, user: Any, *, reference: str = "", generated_at: datetime | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The kind's data (plain JSON) and the document frame around it."""
    context = dict(spec.build_context(params, user))
    # Objects a shared template needs as they are (the dashboard's panels); their data is hashed through the
    # kind's plain part, which says what it holds.
    raw = context.pop(RAW, None)
    # The parameters are part of the data: "nothing recorded" in January is not "nothing recorded" in June.
    data = {"kind": spec.key, "parameters": params, **jsonable(context)}
    data.setdefault("sections", [])
    generated_at = generated_at or timezone.now()
    doc = {
        "title": spec.title,
        "kind": spec.key,
        "version": data.get("version") or "Records as they stood at generation",
        "period": describe_period(params),
        "parameters": params,
        "generated_at": when(generated_at),
        "generated_at_iso": generated_at.isoformat(),
        "time_zone": str(timezone.get_current_timezone()),
        "generated_by": username(user) or "the system",
        "reference": reference or f"{spec.key} (rendered on demand)",
        "data_sha256": data_digest(data),
        "key_fingerprint": signing_fingerprint(),
        "organisation": organisation_name(),
        "format_version": FORMAT_VERSION,
    }
    if raw is not None:
        doc["raw"] = raw
    return data, doc


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF/A-3b bytes and the page count; only static files and data: URLs can be loaded."""
    fetcher = locked_down_fetcher()  # first: it quietens WeasyPrint's logger before WeasyPrint loads
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=fetcher).render()
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf, len(document.pages)


def render(
    spec: KindSpec,
    params: Params,
    user: Any,
    *,
    reference: str = "",
    progress: Progress | None = None,
    generated_at: datetime | None = None,
) -> Rendered:
    data, doc = build_document(spec, params, user, reference=reference, generated_at=generated_at)
    if progress:
        progress(40)
    html = render_to_string(spec.template, {"data": data, "doc": doc, "raw": doc.pop("raw", None)})
    pdf, pages = html_to_pdf(html)
    if progress:
        progress(80)
    return Rendered(pdf=pdf, pages=pages, data_sha256=doc["data_sha256"], data=data)
