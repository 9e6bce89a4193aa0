"""Policy bundle: validation, compilation and revision.

The portal compiles a bundle from the register and the controls, a committee approves it, and gateways pull
it. This module turns the JSON object into an immutable, precompiled ``Bundle`` once, so that ``decide`` does
no parsing or regex compilation per request. The format is documented in ``README.md``.

The revision is the lowercase hex SHA-256 of the RFC 8785 canonical form of the whole bundle object. The
bundle never contains its own revision, so anyone holding the JSON can recompute and compare it with the
ETag the portal served and the revision that each decision event names.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .errors import BundleError
from .jcs import CanonicalizationError, canonicalize
from .operators import OPERATORS
from .recognizers import ENTITY_TYPES

__all__ = [
    "FAIL_MODES",
    "RULE_KINDS",
    "Bundle",
    "BundleError",
    "Rule",
    "UseCase",
    "load_bundle",
    "revision",
]

SCHEMA_MAJOR = "1"
RULE_KINDS = frozenset({"model_allowlist", "pii", "deny_terms", "max_input_chars", "unknown_use_case"})
FAIL_MODES = frozenset({"open", "closed"})


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the bundle, with the control ids (e.g. ISO/IEC 42001 A.9.4) it implements."""

    id: str
    kind: str
    description: str
    controls: tuple[str, ...]
    params: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UseCase:
    """A use case's policy, with everything ``decide`` needs precomputed."""

    key: str
    allowed_models: frozenset[str]
    pii: Mapping[str, str]
    rules: tuple[str, ...]
    fail_mode: str
    redaction_required: bool
    # Derived at load time:
    entity_types: frozenset[str] = field(default=frozenset())
    model_rule_id: str | None = None
    pii_rule_for: Mapping[str, str | None] = field(default_factory=dict)
    max_chars: tuple[tuple[str, int], ...] = ()
    deny_patterns: tuple[tuple[str, re.Pattern[str]], ...] = ()


@dataclass(frozen=True, slots=True)
class Bundle:
    """A validated, compiled policy bundle. Build it with ``load_bundle``; safe to share across threads."""

    name: str
    schema_version: str
    issued_at: str
    fail_mode: str
    rules: Mapping[str, Rule]
    use_cases: Mapping[str, UseCase]
    revision: str
    unknown_use_case_rule_id: str | None


def revision(bundle: Mapping[str, Any]) -> str:
    """Lowercase hex SHA-256 of the bundle's RFC 8785 (JCS) canonical form."""
    try:
        return hashlib.sha256(canonicalize(bundle)).hexdigest()
    except CanonicalizationError as exc:
        raise BundleError(f"bundle is not canonicalizable JSON: {exc}") from exc


def load_bundle(data: Mapping[str, Any] | str | bytes) -> Bundle:
    """Validate a bundle (a dict or its JSON text) and compile it for ``decide``."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise BundleError("bundle is not valid JSON") from exc
    if not isinstance(data, Mapping):
        raise BundleError("bundle must be a JSON object")

    schema_version = _str(data, "schema_version", "bundle")
    # Minor versions add optional fields only; a new major version means this engine cannot read it.
    if schema_version.split(".")[0] != SCHEMA_MAJOR:
        raise BundleError(f"unsupported schema_version {schema_version!r}")
    name = _str(data, "bundle", "bundle")
    issued_at = _str(data, "issued_at", "bundle")
    try:
        datetime.fromisoformat(issued_at)
    except ValueError as exc:
        raise BundleError("issued_at must be an RFC 3339 timestamp") from exc

    defaults = data.get("defaults", {})
    if not isinstance(defaults, Mapping):
        raise BundleError("defaults must be an object")
    default_fail_mode = defaults.get("fail_mode", "closed")
    if default_fail_mode not in FAIL_MODES:
        raise BundleError("defaults.fail_mode must be 'open' or 'closed'")

    rules = {rule_id: _load_rule(rule_id, raw) for rule_id, raw in _obj(data, "rules", "bundle").items()}
    unknown_rules = [r.id for r in rules.values() if r.kind == "unknown_use_case"]
    use_cases = {
        key: _load_use_case(key, raw, rules, default_fail_mode)
        for key, raw in _obj(data, "use_cases", "bundle").items()
    }
    return Bundle(
        name=name,
        schema_version=schema_version,
        issued_at=issued_at,
        fail_mode=default_fail_mode,
        rules=MappingProxyType(rules),
        use_cases=MappingProxyType(use_cases),
        revision=revision(data),
        unknown_use_case_rule_id=unknown_rules[0] if unknown_rules else None,
    )


def _load_rule(rule_id: str, raw: Any) -> Rule:
    where = f"rules.{rule_id}"
    if not isinstance(raw, Mapping):
        raise BundleError(f"{where} must be an object")
    if raw.get("id") != rule_id:
        raise BundleError(f"{where}.id must equal its key")
    kind = _str(raw, "kind", where)
    if kind not in RULE_KINDS:
        raise BundleError(f"{where}.kind {kind!r} is not one of {sorted(RULE_KINDS)}")
    controls = raw.get("controls", [])
    if not isinstance(controls, list) or not all(isinstance(c, str) for c in controls):
        raise BundleError(f"{where}.controls must be a list of strings")
    params = raw.get("params", {})
    if not isinstance(params, Mapping):
        raise BundleError(f"{where}.params must be an object")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise BundleError(f"{where}.description must be a string")

    if kind == "deny_terms":
        terms = params.get("terms")
        if (
            not isinstance(terms, list)
            or not terms
            or not all(isinstance(t, str) and t.strip() for t in terms)
        ):
            raise BundleError(f"{where}.params.terms must be a non-empty list of non-empty strings")
    elif kind == "max_input_chars":
        max_chars = params.get("max_chars")
        if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 1:
            raise BundleError(f"{where}.params.max_chars must be a positive integer")
    elif kind == "pii" and "entities" in params:
        entities = params["entities"]
        if not isinstance(entities, list) or not all(isinstance(e, str) for e in entities):
            raise BundleError(f"{where}.params.entities must be a list of entity types")
        unknown = set(entities) - ENTITY_TYPES
        if unknown:
            raise BundleError(f"{where}.params.entities has unknown types {sorted(unknown)}")
    return Rule(
        id=rule_id,
        kind=kind,
        description=description,
        controls=tuple(controls),
        params=MappingProxyType(dict(params)),
    )


def _load_use_case(key: str, raw: Any, rules: Mapping[str, Rule], default_fail_mode: str) -> UseCase:
    where = f"use_cases.{key}"
    if not isinstance(raw, Mapping):
        raise BundleError(f"{where} must be an object")
    if raw.get("key") != key:
        raise BundleError(f"{where}.key must equal its key")
    models = raw.get("allowed_models", [])
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise BundleError(f"{where}.allowed_models must be a list of strings")
    pii = raw.get("pii", {})
    if not isinstance(pii, Mapping):
        raise BundleError(f"{where}.pii must be an object")
    for entity_type, operator in pii.items():
        if entity_type not in ENTITY_TYPES:
            raise BundleError(f"{where}.pii: unknown entity type {entity_type!r}")
        if operator not in OPERATORS:
            raise BundleError(f"{where}.pii.{entity_type}: operator must be one of {sorted(OPERATORS)}")
    rule_ids = raw.get("rules", [])
    if not isinstance(rule_ids, list) or not all(isinstance(r, str) for r in rule_ids):
        raise BundleError(f"{where}.rules must be a list of rule ids")
    for rule_id in rule_ids:
        if rule_id not in rules:
            raise BundleError(f"{where}.rules names unknown rule {rule_id!r}")
    fail_mode = raw.get("fail_mode", default_fail_mode)
    if fail_mode not in FAIL_MODES:
        raise BundleError(f"{where}.fail_mode must be 'open' or 'closed'")
    redaction_required = raw.get("redaction_required", False)
    if not isinstance(redaction_required, bool):
        raise BundleError(f"{where}.redaction_required must be a boolean")
    if redaction_required and not pii:
        # A policy that requires redaction but names nothing to redact would report "executed" on nothing.
        raise BundleError(f"{where}: redaction_required needs at least one pii entity")

    own_rules = [rules[r] for r in rule_ids]
    model_rules = [r.id for r in own_rules if r.kind == "model_allowlist"]
    if not model_rules:
        model_rules = [r.id for r in rules.values() if r.kind == "model_allowlist"]
    return UseCase(
        key=key,
        allowed_models=frozenset(models),
        pii=MappingProxyType(dict(pii)),
        rules=tuple(rule_ids),
        fail_mode=fail_mode,
        redaction_required=redaction_required,
        entity_types=frozenset(pii),
        model_rule_id=model_rules[0] if model_rules else None,
        pii_rule_for=MappingProxyType({e: _pii_rule_for(e, own_rules) for e in pii}),
        max_chars=tuple((r.id, r.params["max_chars"]) for r in own_rules if r.kind == "max_input_chars"),
        deny_patterns=tuple(
            (r.id, _deny_pattern(r.params["terms"])) for r in own_rules if r.kind == "deny_terms"
        ),
    )


def _pii_rule_for(entity_type: str, own_rules: list[Rule]) -> str | None:
    """The use case's pii rule that covers an entity type: one listing it, else one without a list."""
    pii_rules = [r for r in own_rules if r.kind == "pii"]
    for rule in pii_rules:
        if entity_type in rule.params.get("entities", ()):
            return rule.id
    for rule in pii_rules:
        if "entities" not in rule.params:
            return rule.id
    return None


def _deny_pattern(terms: list[str]) -> re.Pattern[str]:
    # Whole words, case-insensitive. Longest first so that "secret project" wins over "secret".
    alternatives = "|".join(re.escape(t.strip()) for t in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _str(data: Mapping[str, Any], name: str, where: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise BundleError(f"{where}.{name} must be a non-empty string")
    return value


def _obj(data: Mapping[str, Any], name: str, where: str) -> Mapping[str, Any]:
    value = data.get(name)
    if not isinstance(value, Mapping):
        raise BundleError(f"{where}.{name} must be an object")
    return value
