"""Example bundles: the format in executable form, used by the tests, the benchmark and the README."""

from __future__ import annotations

from typing import Any

from .recognizers import ENTITY_TYPES

__all__ = ["benchmark_bundle", "example_bundle"]


def example_bundle() -> dict[str, Any]:
    """A bundle with two use cases that exercises every rule kind and operator."""
    return {
        "schema_version": "1.0",
        "bundle": "example-policy",
        "issued_at": "2025-01-15T09:30:00Z",
        "defaults": {"fail_mode": "closed"},
        "rules": {
            "R-MODEL": {
                "id": "R-MODEL",
                "kind": "model_allowlist",
                "description": "Only approved models",
                "controls": ["A.9.4", "A.10.3"],
                "params": {},
            },
            "R-PII": {
                "id": "R-PII",
                "kind": "pii",
                "description": "Redact personal data before it reaches the provider",
                "controls": ["A.7.4", "A.9.2"],
                "params": {},
            },
            "R-PII-FIN": {
                "id": "R-PII-FIN",
                "kind": "pii",
                "description": "Payment data never leaves",
                "controls": ["A.7.4"],
                "params": {"entities": ["CREDIT_CARD", "IBAN_CODE"]},
            },
            "R-DENY": {
                "id": "R-DENY",
                "kind": "deny_terms",
                "description": "Embargoed project names",
                "controls": ["A.9.4"],
                "params": {"terms": ["Project Nightjar", "bluebird"]},
            },
            "R-SIZE": {
                "id": "R-SIZE",
                "kind": "max_input_chars",
                "description": "Bound input size",
                "controls": ["A.6.2.6"],
                "params": {"max_chars": 20000},
            },
            "R-UNKNOWN": {
                "id": "R-UNKNOWN",
                "kind": "unknown_use_case",
                "description": "Traffic outside the register is blocked",
                "controls": ["A.9.4"],
                "params": {},
            },
        },
        "use_cases": {
            "support-summaries": {
                "key": "support-summaries",
                "allowed_models": ["gpt-4o-mini", "claude-3-5-haiku"],
                "pii": {
                    "EMAIL_ADDRESS": "replace",
                    "PHONE_NUMBER": "mask",
                    "UK_NHS": "hash",
                    "CREDIT_CARD": "block",
                    "IBAN_CODE": "block",
                },
                "rules": ["R-MODEL", "R-PII", "R-PII-FIN", "R-DENY", "R-SIZE"],
                "fail_mode": "closed",
                "redaction_required": True,
            },
            "code-assistant": {
                "key": "code-assistant",
                "allowed_models": ["gpt-4o"],
                "pii": {},
                "rules": ["R-MODEL"],
                "fail_mode": "open",
                "redaction_required": False,
            },
        },
    }


def benchmark_bundle() -> dict[str, Any]:
    """One use case that replaces every entity type: the same work Presidio does in the comparison."""
    bundle = example_bundle()
    bundle["use_cases"]["benchmark"] = {
        "key": "benchmark",
        "allowed_models": ["gpt-4o-mini"],
        "pii": dict.fromkeys(sorted(ENTITY_TYPES), "replace"),
        "rules": ["R-MODEL", "R-PII"],
        "fail_mode": "closed",
        "redaction_required": True,
    }
    return bundle
