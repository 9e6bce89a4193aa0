"""``decide``: apply a use case's policy to one request.

Order of evaluation, and why:
1. Unknown use case: block. Traffic outside the register is exactly what the AIMS must stop (A.9.4).
2. Gate rules that need no look at the content: model allow-list (A.9.4, A.10.3) and maximum input size.
   If either blocks, the text is never scanned, which also bounds the work an oversized input can cause.
3. Content rules: deny terms and PII detection run together, so the evidence counts what was found even
   when the request ends up blocked. A PII entity whose operator is ``block`` blocks the request; otherwise
   the text is rewritten and the decision is ``redact`` if anything was rewritten, else ``allow``.

Privacy: the raw text never appears in an exception message, a repr or a log line. ``Decision.text`` holds
the redacted text only, and is left out of the repr.

Errors (a malformed bundle, a missing hash key) raise ``EnforcementError`` subclasses; the adapter maps them
to an ``error`` decision and applies the use case's ``fail_mode`` (see ``fail_mode_for``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import ENGINE_NAME
from .bundle import Bundle, load_bundle
from .errors import EnforcementError
from .operators import apply_operators, coerce_key
from .recognizers import detect

__all__ = [
    "Decision",
    "EnforcementError",
    "Reason",
    "Redaction",
    "decide",
    "fail_mode_for",
]

ALLOW, REDACT, BLOCK = "allow", "redact", "block"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the decision was taken, tied to the bundle rule (and so to its controls)."""

    code: str
    rule_id: str | None

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "rule_id": self.rule_id}


@dataclass(frozen=True, slots=True)
class Redaction:
    """Whether the use case's PII policy ran, which engine ran it, how many entities of each type it found."""

    executed: bool
    engine: str
    counts: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"executed": self.executed, "engine": self.engine, "counts": dict(self.counts)}


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of ``decide``. ``text`` is the redacted text, ``None`` when blocked."""

    decision: str
    text: str | None = field(repr=False)
    reasons: tuple[Reason, ...]
    redaction: Redaction
    revision: str
    rule_ids: tuple[str, ...]
    bundle: str
    use_case: str
    fail_mode: str

    def to_dict(self) -> dict[str, Any]:
        """The answer of the decide endpoint: ``{decision, text, reasons, redaction, revision, rule_ids}``."""
        return {
            "decision": self.decision,
            "text": self.text,
            "reasons": [r.to_dict() for r in self.reasons],
            "redaction": self.redaction.to_dict(),
            "revision": self.revision,
            "rule_ids": list(self.rule_ids),
        }


def fail_mode_for(bundle: Bundle, use_case: str) -> str:
    """The fail mode to apply when deciding fails: the use case's own, else the bundle default."""
    known = bundle.use_cases.get(use_case)
    return known.fail_mode if known is not None else bundle.fail_mode


def decide(
    bundle: Bundle | Mapping[str, Any],
    *,
    use_case: str,
    model: str,
    text: str,
    hash_key: bytes | str | None = None,
) -> Decision:
    """Decide one request. Pass a ``Bundle`` from ``load_bundle``; a dict is compiled on every call."""
    if not isinstance(bundle, Bundle):
        bundle = load_bundle(bundle)
    if not isinstance(text, str):
        raise TypeError("text must be a str")  # the message names the type only, never the content

    policy = bundle.use_cases.get(use_case)
    if policy is None:
        rule_id = bundle.unknown_use_case_rule_id
        return Decision(
            decision=BLOCK,
            text=None,
            reasons=(Reason("unknown_use_case", rule_id),),
            redaction=Redaction(executed=False, engine=ENGINE_NAME, counts={}),
            revision=bundle.revision,
            rule_ids=(rule_id,) if rule_id else (),
            bundle=bundle.name,
            use_case=use_case,
            fail_mode=bundle.fail_mode,
        )

    # Gate rules: decided on metadata and size, before any content is scanned.
    reasons: list[Reason] = []
    if model not in policy.allowed_models:
        reasons.append(Reason("model_not_allowed", policy.model_rule_id))
    for rule_id, max_chars in policy.max_chars:
        if len(text) > max_chars:
            reasons.append(Reason("max_input_chars", rule_id))
    if reasons:
        return _decision(bundle, policy.key, policy.rules, policy.fail_mode, BLOCK, None, reasons, False, {})

    # Content rules.
    for rule_id, pattern in policy.deny_patterns:
        if pattern.search(text) is not None:
            reasons.append(Reason("deny_term", rule_id))

    executed = bool(policy.entity_types)
    spans = detect(text, policy.entity_types) if executed else []
    counts: dict[str, int] = {}
    for span in spans:
        counts[span.entity_type] = counts.get(span.entity_type, 0) + 1

    operators = policy.pii
    for entity_type in counts:
        if operators[entity_type] == "block":
            reason = Reason("pii_blocked", policy.pii_rule_for[entity_type])
            if reason not in reasons:
                reasons.append(reason)
    if reasons:
        return _decision(
            bundle, policy.key, policy.rules, policy.fail_mode, BLOCK, None, reasons, executed, counts
        )

    if not spans:
        return _decision(
            bundle, policy.key, policy.rules, policy.fail_mode, ALLOW, text, reasons, executed, counts
        )

    key = coerce_key(hash_key) if "hash" in operators.values() else None
    redacted = apply_operators(text, spans, operators, key)
    for entity_type in counts:
        reason = Reason("pii_redacted", policy.pii_rule_for[entity_type])
        if reason not in reasons:
            reasons.append(reason)
    return _decision(
        bundle, policy.key, policy.rules, policy.fail_mode, REDACT, redacted, reasons, executed, counts
    )


def _decision(
    bundle: Bundle,
    use_case: str,
    rule_ids: tuple[str, ...],
    fail_mode: str,
    decision: str,
    text: str | None,
    reasons: list[Reason],
    executed: bool,
    counts: dict[str, int],
) -> Decision:
    return Decision(
        decision=decision,
        text=text,
        reasons=tuple(reasons),
        redaction=Redaction(executed=executed, engine=ENGINE_NAME, counts=counts),
        revision=bundle.revision,
        rule_ids=rule_ids,
        bundle=bundle.name,
        use_case=use_case,
        fail_mode=fail_mode,
    )
