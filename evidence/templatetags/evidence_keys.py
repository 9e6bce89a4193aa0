"""`{% load evidence_keys %}{% signing_key_fingerprint %}`: the current checkpoint signing key's fingerprint, for
report covers and SoA approvals (DESIGN.md, Keys)."""

from django import template

from evidence.checkpoints import current_fingerprint

register = template.Library()


@register.simple_tag
def signing_key_fingerprint() -> str:
    return current_fingerprint() or "no signing key configured"
