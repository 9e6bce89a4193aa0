"""Reads of policy bundles, scoped by the user who asks; the current bundle for gateways; draft diffs."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from aims.accounts.models import User
from aims.core.choices import DecisionKind
from aims.core.models import Decision
from policies import compiler
from policies.models import PolicyBundle


def bundles_for(user: Any) -> QuerySet[PolicyBundle]:
    return PolicyBundle.objects.restrict(user, "view").select_related("created_by").with_publication()


def current_bundle() -> PolicyBundle | None:
    """The revision gateways enforce: the most recently approved one. Not scoped: gateways hold no user."""
    return PolicyBundle.objects.published().first()


def pending_bundle() -> PolicyBundle | None:
    from aims.core.choices import DecisionStatus

    return PolicyBundle.objects.with_publication().filter(decision_status=DecisionStatus.PENDING).first()


def with_people(bundles: list[PolicyBundle]) -> list[PolicyBundle]:
    """Attach requester and approver users to annotated bundles in one query."""
    ids = {getattr(b, "requested_by_id", None) for b in bundles} | {getattr(b, "decided_by_id", None) for b in bundles}
    users = User.objects.in_bulk({i for i in ids if i})
    for bundle in bundles:
        bundle.requested_by = users.get(getattr(bundle, "requested_by_id", None))
        bundle.decided_by = users.get(getattr(bundle, "decided_by_id", None))
    return bundles


def decisions_of(bundle: PolicyBundle, user: Any) -> QuerySet[Decision]:
    return (
        Decision.objects.restrict(user, "view")
        .filter(
            kind=DecisionKind.POLICY_BUNDLE,
            subject_type=ContentType.objects.get_for_model(PolicyBundle),
            subject_id=str(bundle.pk),
        )
        .select_related("requested_by", "decided_by")
    )


@dataclass
class DiffLine:
    kind: str  # "add", "remove", "context" or "hunk"
    text: str


@dataclass
class BundleDiff:
    """What would change for gateways if the draft were published, use case by use case and line by line."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    rules_changed: bool = False
    lines: list[DiffLine] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.rules_changed or self.lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "use_cases_added": self.added,
            "use_cases_removed": self.removed,
            "use_cases_changed": self.changed,
            "rules_changed": self.rules_changed,
            "unified_diff": "\n".join(line.text for line in self.lines),
        }


def _pretty(content: dict[str, Any]) -> list[str]:
    return json.dumps(compiler.comparable(content), indent=2, sort_keys=True, ensure_ascii=False).splitlines()


def diff(current: dict[str, Any] | None, draft: dict[str, Any]) -> BundleDiff:
    """Compare a draft with the current bundle, ignoring the issue time (which always differs)."""
    result = BundleDiff()
    old_cases = (current or {}).get("use_cases", {})
    new_cases = draft.get("use_cases", {})
    result.added = sorted(set(new_cases) - set(old_cases))
    result.removed = sorted(set(old_cases) - set(new_cases))
    result.changed = sorted(k for k in set(new_cases) & set(old_cases) if new_cases[k] != old_cases[k])
    result.rules_changed = (current or {}).get("rules") != draft.get("rules") or (current or {}).get(
        "defaults"
    ) != draft.get("defaults")
    old_lines = _pretty(current) if current else []
    for raw in difflib.unified_diff(old_lines, _pretty(draft), "current", "draft", n=3, lineterm=""):
        if raw.startswith(("---", "+++")):
            continue
        kind = (
            "hunk" if raw.startswith("@@") else "add" if raw[:1] == "+" else "remove" if raw[:1] == "-" else "context"
        )
        result.lines.append(DiffLine(kind, raw))
    return result
