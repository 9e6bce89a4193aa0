"""Reading the catalog's data files (controls/data/*.yaml) into plain specs. No database access here.

The files are the project's copies of ../shared/reference/ (paraphrases, never normative ISO text), plus
supplement.yaml with the few headings the reference names without describing. CI runs from a clean clone, so
only the project's copy is read. services.load_frameworks() writes the specs; this module only parses them, and
refuses data it cannot place (an unknown crosswalk target, a control without an objective) with CatalogError.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from controls.choices import EvidenceLevel, FrameworkKind, LinkStrength, RequirementKind

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("iso42001.yaml", "eu_ai_act.yaml", "nist_ai_rmf.yaml", "crosswalk.yaml", "enforcement_controls.yaml")
SUPPLEMENT = "supplement.yaml"

ISO42001 = "iso42001"
EU_AI_ACT = "eu-ai-act"
NIST_AI_RMF = "nist-ai-rmf"
ISO27001 = "iso27001"

# The one basis the reference marks as made for the file rather than published (crosswalk.yaml, legend).
INFERRED_BASIS = "inferred"
STRUCTURE_BASIS = "HS"
STRUCTURE_NOTE = (
    "Shared ISO Harmonized Structure clause. The reference data gives no strength for these pairs; "
    "'supporting' is this catalog's default: an integrated management system can reuse the process."
)


class CatalogError(ValueError):
    """The data files are inconsistent: a reference that names nothing, a missing key."""


@dataclass
class RequirementSpec:
    ref: str
    kind: str
    title: str
    text: str = ""
    guidance: str = ""
    parent_ref: str | None = None
    evidence_level: str = ""
    evidence_summary: str = ""
    evidence_still_needed: str = ""
    evidence_requires: str = ""
    metrics: list[str] = field(default_factory=list)


@dataclass
class FrameworkSpec:
    slug: str
    name: str
    short_name: str
    kind: str
    version: str
    position: int
    description: str = ""
    source: str = ""
    structure_only: bool = False
    requirements: list[RequirementSpec] = field(default_factory=list)

    def index(self) -> dict[str, RequirementSpec]:
        return {spec.ref: spec for spec in self.requirements}

    def add(self, spec: RequirementSpec) -> RequirementSpec:
        if spec.parent_ref is not None and spec.parent_ref not in self.index():
            raise CatalogError(f"{self.slug} {spec.ref}: parent {spec.parent_ref} is not loaded before it.")
        if spec.ref in self.index():
            raise CatalogError(f"{self.slug} {spec.ref} appears twice.")
        self.requirements.append(spec)
        return spec


@dataclass(frozen=True)
class LinkSpec:
    from_framework: str
    from_ref: str
    to_framework: str
    to_ref: str
    strength: str
    source: str
    inferred: bool
    reference: str = ""
    note: str = ""


@dataclass
class MetricSpec:
    code: str
    name: str
    formula: str = ""
    window: str = ""
    target: str = ""
    requires: str = ""


@dataclass
class Catalog:
    frameworks: list[FrameworkSpec]
    links: list[LinkSpec]
    metrics: list[MetricSpec]
    version: str
    raw: dict[str, Any]

    def framework(self, slug: str) -> FrameworkSpec:
        return next(fw for fw in self.frameworks if fw.slug == slug)


def _version(data: dict[str, Any], raw: bytes) -> str:
    """An explicit `data_version` in the file wins; otherwise the content hash, so any edit is a new version."""
    explicit = data.get("data_version") if isinstance(data, dict) else None
    if explicit:
        return str(explicit)[:80]
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def _read(data_dir: Path, name: str) -> tuple[dict[str, Any], bytes]:
    path = data_dir / name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CatalogError(f"missing data file {path}") from None
    data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise CatalogError(f"{path} is not a mapping")
    return data, raw


def _combined_version(*parts: tuple[dict[str, Any], bytes]) -> str:
    """One framework may be built from several files: its version changes when any of them does."""
    if len(parts) == 1:
        return _version(*parts[0])
    explicit = [str(d.get("data_version")) for d, _ in parts if d.get("data_version")]
    digest = hashlib.sha256(b"".join(raw for _, raw in parts)).hexdigest()[:16]
    return ("+".join(explicit) if explicit else f"sha256:{digest}")[:80]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parent_clause(ref: str, known: dict[str, Any]) -> str | None:
    """6.1.2 sits under 6.1 when that exists, else under 6; 4.1 under 4."""
    parts = ref.split(".")
    while len(parts) > 1:
        parts = parts[:-1]
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
    return None


# --- ISO/IEC 42001 ----------------------------------------------------------------------------------------------


def _iso42001(data: dict[str, Any], version: str) -> FrameworkSpec:
    standard = data.get("standard", {})
    fw = FrameworkSpec(
        slug=ISO42001,
        name=f"{standard.get('id', 'ISO/IEC 42001')} {_text(standard.get('title'))}".strip(),
        short_name="ISO/IEC 42001",
        kind=FrameworkKind.STANDARD,
        version=version,
        position=1,
        description=" ".join(_text(note) for note in standard.get("notes", [])),
        source="Paraphrases written for the reference data; not the normative ISO text.",
    )
    for clause in data["clauses"]:
        ref = _text(clause["id"])
        fw.add(RequirementSpec(ref=ref, kind=RequirementKind.CLAUSE, title=_text(clause["title"])))
        for sub in clause.get("subclauses", []):
            sub_ref = _text(sub["id"])
            fw.add(
                RequirementSpec(
                    ref=sub_ref,
                    kind=RequirementKind.CLAUSE,
                    title=_text(sub["title"]),
                    text=_text(sub.get("summary")),
                    parent_ref=_parent_clause(sub_ref, fw.index()),
                )
            )
    for topic in data["annex_a"]:
        if "sub_objectives" in topic:
            # A.6 is a topic with two objectives (A.6.1, A.6.2), each with its own controls.
            fw.add(RequirementSpec(ref=_text(topic["id"]), kind=RequirementKind.TOPIC, title=_text(topic["title"])))
            for objective in topic["sub_objectives"]:
                _annex_a_objective(fw, objective, parent_ref=_text(topic["id"]))
        else:
            _annex_a_objective(fw, topic, parent_ref=None)
    return fw


def _annex_a_objective(fw: FrameworkSpec, objective: dict[str, Any], parent_ref: str | None) -> None:
    ref = _text(objective["id"])
    fw.add(
        RequirementSpec(
            ref=ref,
            kind=RequirementKind.OBJECTIVE,
            title=_text(objective["title"]),
            text=_text(objective.get("objective")),
            parent_ref=parent_ref,
        )
    )
    for control in objective.get("controls", []):
        fw.add(
            RequirementSpec(
                ref=_text(control["id"]),
                kind=RequirementKind.CONTROL,
                title=_text(control["title"]),
                text=_text(control.get("expects")),
                parent_ref=ref,
            )
        )


# --- EU AI Act ----------------------------------------------------------------------------------------------------

_TIER_REFS = {
    "unacceptable": "Tier: prohibited",
    "high-risk": "Tier: high-risk",
    "limited-risk": "Tier: limited risk",
    "minimal-risk": "Tier: minimal risk",
}


def _short(text: str, limit: int = 120) -> str:
    """A title for a provision the data gives only as a sentence."""
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(" .,;") + "..."


def _duty(who: str) -> str:
    if not who:
        return ""
    return "Duty of providers and deployers." if who == "both" else f"Duty of the {who}."


def _article_ref(number: str) -> str:
    return number if number.startswith("Annex") else f"Art. {number}"


def _eu_ai_act(data: dict[str, Any], supplement: dict[str, Any], version: str) -> FrameworkSpec:
    regulation = data.get("regulation", {})
    headings = {str(k): _text(v) for k, v in supplement.get("eu_ai_act_headings", {}).items()}
    fw = FrameworkSpec(
        slug=EU_AI_ACT,
        name=f"{_text(regulation.get('short_name'))} ({_text(regulation.get('id'))})",
        short_name="EU AI Act",
        kind=FrameworkKind.REGULATION,
        version=version,
        position=2,
        description=_text(regulation.get("harmonised_standards_note")),
        source="One-line paraphrases written for the reference data; the legal text is authoritative.",
    )

    def article(number: str, title: str = "", parent: str | None = None, **extra: Any) -> RequirementSpec:
        kind = RequirementKind.ANNEX if number.startswith("Annex") else RequirementKind.ARTICLE
        title = title or headings.get(number) or f"Article {number}"
        return fw.add(RequirementSpec(ref=_article_ref(number), kind=kind, title=title, parent_ref=parent, **extra))

    for cross in data.get("cross_cutting", []):
        article(_text(cross["article"]), _text(cross["title"]), text=_text(cross.get("paraphrase")))

    for tier in data["risk_tiers"]:
        name = _text(tier["tier"])
        key = name.split(" ")[0]
        ref = _TIER_REFS.get(key, f"Tier: {key.replace('-', ' ')}")
        fw.add(
            RequirementSpec(
                ref=ref,
                kind=RequirementKind.TIER,
                title=name[:1].upper() + name[1:],
                text=_text(tier.get("summary")),
                guidance=_text(tier.get("penalty")),
            )
        )
        number = re.match(r"\d+", _text(tier.get("article")))
        if number is None:
            raise CatalogError(f"tier {name} names no article")
        anchor = article(number.group(0), parent=ref, text=_text(tier.get("summary")))
        for item in [*tier.get("practices", []), *tier.get("routes", []), *tier.get("obligations", [])]:
            who = _text(item.get("who"))
            # "(see annex_iii below)" points inside the reference file; the catalog shows Annex III as a row.
            text = _text(item["text"]).replace(" (see annex_iii below)", "")
            fw.add(
                RequirementSpec(
                    ref=f"Art. {_text(item['ref'])}",
                    kind=RequirementKind.PROVISION,
                    title=_short(text),
                    text=text,
                    guidance=_duty(who),
                    parent_ref=anchor.ref,
                )
            )
        if tier.get("derogation"):
            fw.add(
                RequirementSpec(
                    ref=f"{anchor.ref}(3)",
                    kind=RequirementKind.PROVISION,
                    title="Derogation for Annex III systems without significant risk",
                    text=_text(tier["derogation"]),
                    parent_ref=anchor.ref,
                )
            )
        if key == "high-risk":
            annex = article("Annex III", parent=ref)
            for area in data.get("annex_iii", []):
                fw.add(
                    RequirementSpec(
                        ref=f"Annex III({area['area']})",
                        kind=RequirementKind.PROVISION,
                        title=_text(area["title"]),
                        text="; ".join(_text(use) for use in area.get("use_cases", [])),
                        parent_ref=annex.ref,
                    )
                )
            for item in data.get("high_risk_requirements_and_obligations", []):
                role = _text(item.get("role"))
                article(
                    _text(item["article"]),
                    _text(item["title"]),
                    parent=ref,
                    text=_text(item.get("paraphrase")),
                    guidance=_duty(role),
                )

    gpai = data.get("gpai")
    if gpai:
        group = fw.add(
            RequirementSpec(
                ref="GPAI",
                kind=RequirementKind.TOPIC,
                title="General-purpose AI models (Chapter V)",
                text=_text(gpai.get("definition_note")),
                guidance=" ".join(_text(gpai.get(k)) for k in ("compliance_route", "authorised_representative")),
            )
        )
        article(
            "53",
            parent=group.ref,
            text=" ".join(_text(line) for line in gpai.get("all_providers_art_53", [])),
            guidance=_text(gpai.get("legacy_models")),
        )
        systemic = gpai.get("systemic_risk_art_51_55", {})
        article(
            "55",
            parent=group.ref,
            text=" ".join(_text(line) for line in systemic.get("extra_obligations", [])),
            guidance=_text(systemic.get("threshold")),
        )

    for number in supplement.get("eu_ai_act_heading_only", []):
        article(
            str(number),
            guidance="Heading only: named by the crosswalk or the enforcement data, not described in the reference.",
        )
    return fw


class EuResolver:
    """Turns a crosswalk's article text ("17(1)(a)", "2, 3, 6", "11 + Annex IV(2)") into requirement refs.

    A point that the catalog holds as its own row (Art. 50(1)) is linked to that row; any finer point is linked
    to its article, and the text is kept on the link as its `reference`. Ranges such as "47-49" cover 49.
    """

    _SPLIT = re.compile(r",\s+|\s+\+\s+|\s+vs\s+|\s+/\s+")

    def __init__(self, fw: FrameworkSpec) -> None:
        self.refs = set(fw.index())
        self.articles: dict[int, str] = {}
        for spec in fw.requirements:
            if spec.kind != RequirementKind.ARTICLE:
                continue
            match = re.fullmatch(r"Art\. (\d+)(?:-(\d+))?", spec.ref)
            if match:
                first = int(match.group(1))
                for number in range(first, int(match.group(2) or first) + 1):
                    self.articles.setdefault(number, spec.ref)

    def resolve(self, text: str) -> list[str]:
        targets: list[str] = []
        annex: str | None = None
        for part in self._SPLIT.split(text.strip()):
            part = part.strip()
            annex_match = re.match(r"Annex ([IVX]+)", part)
            if annex_match:
                annex = f"Annex {annex_match.group(1)}"
                target = annex
            elif annex and re.match(r"\d", part):
                continue  # "Annex IV 1(e), 2(c)": a second point of the same annex
            else:
                annex = None
                number = re.match(r"\d+", part)
                if number is None:
                    raise CatalogError(f"cannot read the EU AI Act reference {text!r}")
                exact = f"Art. {part}"
                target = exact if exact in self.refs else self.articles.get(int(number.group(0)), "")
            if target not in self.refs:
                raise CatalogError(f"the EU AI Act reference {text!r} names {part!r}, which the catalog lacks")
            if target not in targets:
                targets.append(target)
        return targets


# --- NIST AI RMF -------------------------------------------------------------------------------------------------


def _nist(data: dict[str, Any], version: str) -> FrameworkSpec:
    meta = data.get("framework", {})
    fw = FrameworkSpec(
        slug=NIST_AI_RMF,
        name=f"{_text(meta.get('name'))} ({_text(meta.get('id'))})",
        short_name="NIST AI RMF",
        kind=FrameworkKind.GUIDANCE,
        version=version,
        position=3,
        description=_text(meta.get("nature")),
        source="Titles paraphrased for the reference data from NIST AI 100-1.",
    )
    for function in data["functions"]:
        ref = _text(function["id"])
        fw.add(
            RequirementSpec(
                ref=ref, kind=RequirementKind.FUNCTION, title=ref.title(), text=_text(function.get("purpose"))
            )
        )
        for category in function.get("categories", []):
            cat_ref = _text(category["id"])
            fw.add(
                RequirementSpec(
                    ref=cat_ref, kind=RequirementKind.CATEGORY, title=_text(category["title"]), parent_ref=ref
                )
            )
            for sub in category.get("subcategories", []):
                fw.add(
                    RequirementSpec(
                        ref=_text(sub["id"]),
                        kind=RequirementKind.SUBCATEGORY,
                        title=_text(sub["title"]),
                        parent_ref=cat_ref,
                    )
                )
    return fw


# --- ISO/IEC 27001 structure ------------------------------------------------------------------------------------


def _iso27001(
    crosswalk: dict[str, Any], iso42001: FrameworkSpec, supplement: dict[str, Any], version: str
) -> tuple[FrameworkSpec, list[LinkSpec]]:
    """The clause headings ISO/IEC 27001:2022 shares with 42001 (crosswalk.yaml, iso27001_harmonized_structure).

    Only the structure: headings, no text. Parents (4..10, 6.1, 7.5, 9.2, 9.3) take 42001's headings, which the
    Harmonized Structure makes identical.
    """
    titles = {str(k): _text(v) for k, v in supplement.get("iso27001_titles", {}).items()}
    fw = FrameworkSpec(
        slug=ISO27001,
        name="ISO/IEC 27001:2022 (clause structure)",
        short_name="ISO/IEC 27001",
        kind=FrameworkKind.STANDARD,
        version=version,
        position=4,
        description=(
            "The clauses 4 to 10 that ISO/IEC 27001:2022 shares with ISO/IEC 42001 through the ISO Harmonized "
            "Structure, so that an organisation with an ISMS can run one integrated management system."
        ),
        source="Structure only: clause headings of the Harmonized Structure, no requirement text.",
        structure_only=True,
    )
    iso_index = iso42001.index()
    structure_note = "Structure only: a clause heading of the Harmonized Structure; no requirement text is held."
    rows = [row for row in crosswalk.get("iso27001_harmonized_structure", []) if _text(row["iso27001_2022"]) != "-"]
    wanted = {_text(row["iso27001_2022"]) for row in rows}
    # Parents first, in 42001's order, then each row: the 42001 clause order is also 27001's.
    needed: set[str] = set()
    for ref in wanted:
        parts = ref.split(".")
        needed |= {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    for spec in iso42001.requirements:
        if spec.kind != RequirementKind.CLAUSE or spec.ref not in needed:
            continue
        row_title = next((_text(r["title"]) for r in rows if _text(r["iso27001_2022"]) == spec.ref), "")
        title = titles.get(spec.ref) or row_title or spec.title
        fw.add(
            RequirementSpec(
                ref=spec.ref,
                kind=RequirementKind.CLAUSE,
                title=title,
                guidance=structure_note,
                parent_ref=_parent_clause(spec.ref, fw.index()),
            )
        )
    missing = wanted - set(fw.index())
    if missing:
        raise CatalogError(f"ISO/IEC 27001 clauses without a 42001 counterpart: {sorted(missing)}")
    links = [
        LinkSpec(
            from_framework=ISO42001,
            from_ref=_text(row["iso42001"]),
            to_framework=ISO27001,
            to_ref=_text(row["iso27001_2022"]),
            strength=LinkStrength.SUPPORTING,
            source=STRUCTURE_BASIS,
            inferred=False,
            reference=f"ISO/IEC 27001:2022 {_text(row['iso27001_2022'])}",
            note=f"{_text(row.get('relation'))}. {STRUCTURE_NOTE}",
        )
        for row in rows
    ]
    for link in links:
        if link.from_ref not in iso_index:
            raise CatalogError(f"the structure row {link.from_ref} names no ISO/IEC 42001 clause")
    return fw, links


# --- Crosswalk and enforcement evidence ----------------------------------------------------------------------


def _crosswalk_links(
    crosswalk: dict[str, Any], iso42001: FrameworkSpec, eu: FrameworkSpec, nist: FrameworkSpec
) -> list[LinkSpec]:
    iso_refs, nist_refs = set(iso42001.index()), set(nist.index())
    resolver = EuResolver(eu)
    valid = set(LinkStrength.values)
    links: list[LinkSpec] = []
    for section in ("annex_a_controls", "clauses"):
        for row in crosswalk.get(section, []):
            iso_ref = _text(row["iso"])
            if iso_ref not in iso_refs:
                raise CatalogError(f"crosswalk row {iso_ref} names no ISO/IEC 42001 requirement")
            for item in row.get("eu_ai_act") or []:
                reference = _text(item["article"])
                for target in resolver.resolve(reference):
                    links.append(_link(iso_ref, EU_AI_ACT, target, item, reference, valid))
            for item in row.get("nist_ai_rmf") or []:
                target = _text(item["id"])
                if target not in nist_refs:
                    raise CatalogError(f"crosswalk row {iso_ref} names {target}, which NIST AI RMF lacks")
                links.append(_link(iso_ref, NIST_AI_RMF, target, item, target, valid))
    return links


def _link(iso_ref: str, framework: str, target: str, item: dict[str, Any], reference: str, valid: set) -> LinkSpec:
    strength, basis = _text(item.get("strength")), _text(item.get("basis"))
    if strength not in valid:
        raise CatalogError(f"crosswalk {iso_ref} -> {reference}: unknown strength {strength!r}")
    if not basis:
        raise CatalogError(f"crosswalk {iso_ref} -> {reference}: no basis")
    return LinkSpec(
        from_framework=ISO42001,
        from_ref=iso_ref,
        to_framework=framework,
        to_ref=target,
        strength=strength,
        source=basis,
        inferred=basis == INFERRED_BASIS,
        reference=reference,
        note=_text(item.get("note")),
    )


def _metrics(enforcement: dict[str, Any]) -> list[MetricSpec]:
    return [
        MetricSpec(
            code=_text(m["id"]),
            name=_text(m["name"]),
            formula=_text(m.get("formula")),
            window=_text(m.get("window")),
            target=_text(m.get("target")),
            requires=_text(m.get("requires")),
        )
        for m in enforcement.get("metrics", [])
    ]


def _apply_evidence(spec: RequirementSpec, item: dict[str, Any], codes: set[str]) -> None:
    level = _text(item.get("evidence_level"))
    if level not in EvidenceLevel.values:
        raise CatalogError(f"{spec.ref}: unknown evidence level {level!r}")
    unknown = [code for code in item.get("metrics", []) if code not in codes]
    if unknown:
        raise CatalogError(f"{spec.ref}: unknown metrics {unknown}")
    spec.evidence_level = level
    spec.evidence_summary = _text(item.get("gateway_shows") or item.get("note"))
    spec.evidence_still_needed = _text(item.get("still_needed"))
    spec.evidence_requires = _text(item.get("requires"))
    spec.metrics = [_text(code) for code in item.get("metrics", [])]


def _evidence(enforcement: dict[str, Any], iso42001: FrameworkSpec, eu: FrameworkSpec, codes: set[str]) -> None:
    iso_index, eu_index = iso42001.index(), eu.index()
    for item in [*enforcement.get("annex_a", []), *enforcement.get("iso_clauses", [])]:
        ref = _text(item["id"])
        if ref not in iso_index:
            raise CatalogError(f"enforcement data names {ref}, which ISO/IEC 42001 lacks")
        _apply_evidence(iso_index[ref], item, codes)
    resolver = EuResolver(eu)
    for item in enforcement.get("eu_ai_act", []):
        for target in resolver.resolve(_text(item["article"])):
            _apply_evidence(eu_index[target], item, codes)


def parse_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Read every data file and build the whole catalog in memory, or raise CatalogError."""
    raw = {name: _read(data_dir, name) for name in (*FILES, SUPPLEMENT)}
    data = {name: parsed for name, (parsed, _) in raw.items()}
    supplement = data[SUPPLEMENT]
    enforcement = raw["enforcement_controls.yaml"]
    iso = _iso42001(data["iso42001.yaml"], _combined_version(raw["iso42001.yaml"], enforcement))
    eu = _eu_ai_act(
        data["eu_ai_act.yaml"],
        supplement,
        _combined_version(raw["eu_ai_act.yaml"], raw[SUPPLEMENT], enforcement),
    )
    nist = _nist(data["nist_ai_rmf.yaml"], _combined_version(raw["nist_ai_rmf.yaml"]))
    iso27001, structure_links = _iso27001(
        data["crosswalk.yaml"], iso, supplement, _combined_version(raw["crosswalk.yaml"], raw[SUPPLEMENT])
    )
    metrics = _metrics(data["enforcement_controls.yaml"])
    _evidence(data["enforcement_controls.yaml"], iso, eu, {m.code for m in metrics})
    links = _crosswalk_links(data["crosswalk.yaml"], iso, eu, nist) + structure_links
    return Catalog(
        frameworks=[iso, eu, nist, iso27001],
        links=links,
        metrics=metrics,
        version=_combined_version(*raw.values()),
        raw=data,
    )
