"""The registry of report kinds: one module per kind, each defining `KIND`, a `KindSpec` (see base.py).

To add a kind: add its value to `ReportKind` (choices.py), write `aims/reports/kinds/<name>.py` with
`build_context(params, user) -> dict` and `KIND = KindSpec(...)`, its print template under
templates/reports/pdf/, and list the module below. The form, the API, the command and the task pick it up.
"""

from __future__ import annotations

from importlib import import_module

from aims.reports.kinds.base import KindSpec

MODULES = [
    "soa",
    "register",
    "risks",
    "impact_assessments",
    "control_effectiveness",
    "objectives",
    "management_review",
    "internal_audit",
    "incidents",
    "evidence_pack",
    "dashboard",
]

_REGISTRY: dict[str, KindSpec] = {}


def _load() -> dict[str, KindSpec]:
    if not _REGISTRY:
        for name in MODULES:
            spec: KindSpec = import_module(f"{__name__}.{name}").KIND
            _REGISTRY[spec.key] = spec
    return _REGISTRY


def all_kinds() -> list[KindSpec]:
    return list(_load().values())


def get(key: str) -> KindSpec | None:
    return _load().get(key)


def kinds_for(user: object) -> list[KindSpec]:
    """The kinds this person may ask for."""
    return [spec for spec in all_kinds() if spec.may_request(user)]
