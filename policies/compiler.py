"""Compiling the policy bundle from the register and the control catalog (enforcement/README.md, schema 1.0).

No writes here. `compile_bundle` reads every active use case, its approved models by gateway name and its PII
policy (registry.selectors.use_case_policy), and gives each rule the ISO/IEC 42001 Annex A controls it
implements. That mapping comes from the controls data (enforcement_controls.yaml, loaded by the controls
app): each rule kind produces the evidence of a few enforcement metrics, and a rule implements the Annex A
controls that those metrics evidence automatically (or, where no control is evidenced automatically by them,
partially). So the model allow-list (metrics M-MODEL-BLOCK, M-UC-SCOPE) implements A.10.3 and A.9.4.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from controls.choices import EvidenceLevel, RequirementKind, RequirementStatus
from controls.models import Requirement
from registry.models import UseCase
from registry.selectors import use_case_policy

BUNDLE_NAME = "aims-policy"
SCHEMA_VERSION = "1.0"

RULE_MODEL = "R-MODEL"
RULE_PII = "R-PII"
RULE_UNKNOWN = "R-UNKNOWN"

# Which enforcement metrics (enforcement_controls.yaml `metrics`) each rule kind produces evidence for.
RULE_METRICS: dict[str, tuple[str, ...]] = {
    "model_allowlist": ("M-MODEL-BLOCK", "M-UC-SCOPE"),
    "pii": ("M-RED-COV", "M-RED-RESIDUAL"),
    "unknown_use_case": ("M-UC-ATTR",),
}

RULES: tuple[tuple[str, str, str], ...] = (
    (RULE_MODEL, "model_allowlist", "Only models the committee approved for the use case"),
    (RULE_PII, "pii", "Personal data is redacted or blocked as the use case's PII policy says"),
    (RULE_UNKNOWN, "unknown_use_case", "Requests outside the register are blocked"),
)


def _ref_key(ref: str) -> tuple[Any, ...]:
    """A.10.3 after A.9.4: compare the numeric parts as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in ref.split("."))


def controls_for(kind: str) -> list[str]:
    """The Annex A control ids a rule of this kind implements, from the loaded control catalog."""
    metrics = RULE_METRICS.get(kind, ())
    rows = (
        Requirement.objects.filter(
            framework__slug="iso42001",
            kind=RequirementKind.CONTROL,
            status=RequirementStatus.ACTIVE,
            metric_links__metric__code__in=metrics,
        )
        .values_list("ref", "evidence_level")
        .distinct()
    )
    by_level: dict[str, set[str]] = {}
    for ref, level in rows:
        by_level.setdefault(level, set()).add(ref)
    chosen = by_level.get(EvidenceLevel.AUTOMATIC) or by_level.get(EvidenceLevel.PARTIAL) or set()
    return sorted(chosen, key=_ref_key)


def compile_bundle(*, issued_at: datetime | None = None) -> dict[str, Any]:
    """The bundle the register implies now. Validate it with enforcement.bundle.load_bundle before use."""
    moment = (issued_at or timezone.now()).astimezone(UTC)
    rules = {
        rule_id: {
            "id": rule_id,
            "kind": kind,
            "description": description,
            "controls": controls_for(kind),
            "params": {},
        }
        for rule_id, kind, description in RULES
    }
    use_cases: dict[str, Any] = {}
    queryset = UseCase.objects.filter(active=True).select_related("ai_system").order_by("key")
    for use_case in queryset:
        policy = use_case_policy(use_case)
        own_rules = [RULE_MODEL]
        if policy["pii"]:
            own_rules.append(RULE_PII)
        use_cases[use_case.key] = {
            "key": policy["key"],
            "allowed_models": list(policy["allowed_models"]),
            "pii": dict(policy["pii"]),
            "rules": own_rules,
            "fail_mode": policy["fail_mode"],
            "redaction_required": bool(policy["redaction_required"]),
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "bundle": BUNDLE_NAME,
        "issued_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "defaults": {"fail_mode": "closed"},
        "rules": rules,
        "use_cases": use_cases,
    }


def comparable(content: dict[str, Any] | None) -> dict[str, Any]:
    """The bundle without its issue time: two compilations of an unchanged register compare equal."""
    if not content:
        return {}
    return {key: value for key, value in content.items() if key != "issued_at"}
