"""ISO/IEC 42001 Annex C as data: the potential objectives (C.2) and risk sources (C.3) a risk names.

`risks/data/annex_c.yaml` is the project's copy of the shared reference data (paraphrases, not ISO text), so
a clean clone needs nothing outside the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "annex_c.yaml"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    meaning: str

    @property
    def label(self) -> str:
        return f"{self.id} {self.title}"


@dataclass(frozen=True)
class AnnexC:
    objectives: tuple[Entry, ...]
    risk_sources: tuple[Entry, ...]


@cache
def annex_c() -> AnnexC:
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    def entries(key: str) -> tuple[Entry, ...]:
        return tuple(Entry(str(e["id"]), str(e["title"]), str(e["meaning"])) for e in data[key])

    return AnnexC(entries("organizational_objectives"), entries("risk_sources"))


def risk_source_choices() -> list[tuple[str, str]]:
    return [(e.id, e.label) for e in annex_c().risk_sources]


def objective_choices() -> list[tuple[str, str]]:
    return [(e.id, e.label) for e in annex_c().objectives]


def risk_source(source_id: str) -> Entry | None:
    return next((e for e in annex_c().risk_sources if e.id == source_id), None)


def objective_label(objective_id: str) -> str:
    entry = next((e for e in annex_c().objectives if e.id == objective_id), None)
    return entry.label if entry else objective_id
