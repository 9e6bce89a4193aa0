"""Demo data of the controls app: the framework catalog itself (idempotent: loading twice changes nothing)."""

from __future__ import annotations

from controls import services


def seed() -> services.LoadReport:
    return services.load_frameworks()
