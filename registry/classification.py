"""EU AI Act classification: the questionnaire's questions and the tier logic, as pure functions.

The questions come from `registry/data/eu_ai_act.yaml`, the project's copy of the shared reference data
(paraphrases only; the legal text is authoritative). Its ids are kept: Art. 5 practices by ref ("5(1)(c)"),
Annex III areas by number (1 to 8), the high-risk routes "6(1)" and "6(2)", the derogation "6(3)", and the
transparency duties "50(1)" to "50(4)". Nothing here touches the database: `classify(answers)` maps answers to a
tier, the routes that led to it and a rationale, so that it can be tested case by case.

The order of the tests follows the Act: a prohibited practice decides alone (Art. 5); otherwise the two
high-risk routes (Art. 6(1) with Annex I, Art. 6(2) with Annex III, less the Art. 6(3) derogation, which never
applies to profiling of natural persons); transparency duties (Art. 50) apply whatever the tier, but make the
tier "limited" only where the system is not high-risk; what is left is minimal risk. General-purpose AI model
duties (Chapter V) are flags beside the tier, not a tier of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from registry.choices import RiskTier

DATA_FILE = Path(__file__).resolve().parent / "data" / "eu_ai_act.yaml"

# The four conditions of the Art. 6(3) derogation, in the reference's own words (derogation paraphrase).
EXEMPTION_CONDITIONS: dict[str, str] = {
    "narrow_procedural": "It only performs a narrow procedural task.",
    "improves_human_activity": "It improves the result of a previously completed human activity.",
    "detects_patterns": "It detects decision patterns or deviations without replacing or influencing human review.",
    "preparatory": "It performs a preparatory task to an assessment.",
}


@dataclass(frozen=True)
class Option:
    """One answer a question offers: the reference id, and the paraphrase shown."""

    id: str
    text: str
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """What the questionnaire needs from the reference data."""

    prohibited_practices: tuple[Option, ...]
    annex_i_route: str
    annex_iii_route: str
    annex_iii_areas: tuple[Option, ...]
    derogation: str
    transparency_duties: tuple[Option, ...]
    transparency_note: str
    gpai_definition: str
    gpai_threshold: str


@cache
def reference() -> Reference:
    """Read the reference data once. The ids are checked, so a changed file fails loudly, not silently."""
    data = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    tiers = {tier["article"].split(" ")[0]: tier for tier in data["risk_tiers"]}
    prohibited = tiers["5"]
    high = tiers["6"]
    transparency = tiers["50"]
    routes = {route["ref"]: route["text"] for route in high["routes"]}
    duties = tuple(
        Option(item["ref"], item["text"], (f"Duty of the {item['who']}.",))
        for item in transparency["obligations"]
        if item["ref"] != "50(5)"  # 50(5) says how to inform, not when a duty arises
    )
    note = next(item["text"] for item in transparency["obligations"] if item["ref"] == "50(5)")
    return Reference(
        prohibited_practices=tuple(Option(p["ref"], p["text"]) for p in prohibited["practices"]),
        annex_i_route=routes["6(1)"],
        annex_iii_route=routes["6(2)"],
        annex_iii_areas=tuple(
            Option(str(area["area"]), area["title"], tuple(area["use_cases"])) for area in data["annex_iii"]
        ),
        derogation=high["derogation"],
        transparency_duties=duties,
        transparency_note=note,
        gpai_definition=data["gpai"]["definition_note"],
        gpai_threshold=data["gpai"]["systemic_risk_art_51_55"]["threshold"],
    )


@dataclass(frozen=True)
class Answers:
    """The questionnaire's answers, validated. `as_dict()` is what the register stores."""

    prohibited_practices: tuple[str, ...] = ()
    annex_i_product: bool = False
    annex_i_third_party_assessment: bool = False
    annex_iii_areas: tuple[str, ...] = ()
    art_6_3_exemption: bool = False
    art_6_3_condition: str = ""
    profiling: bool = False
    transparency_duties: tuple[str, ...] = ()
    gpai_model: bool = False
    gpai_systemic_risk: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "prohibited_practices": list(self.prohibited_practices),
            "annex_i_product": self.annex_i_product,
            "annex_i_third_party_assessment": self.annex_i_third_party_assessment,
            "annex_iii_areas": list(self.annex_iii_areas),
            "art_6_3_exemption": self.art_6_3_exemption,
            "art_6_3_condition": self.art_6_3_condition,
            "profiling": self.profiling,
            "transparency_duties": list(self.transparency_duties),
            "gpai_model": self.gpai_model,
            "gpai_systemic_risk": self.gpai_systemic_risk,
        }


ANSWER_FIELDS = tuple(Answers().as_dict())


class InvalidAnswers(ValueError):
    """The answers cannot be classified; `errors` names each field with its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def parse_answers(raw: Any) -> Answers:
    """Validate stored or submitted answers. Unknown ids and contradictory answers are refused, by field."""
    if not isinstance(raw, dict):
        raise InvalidAnswers({"answers": ["Expected an object of answers."]})
    ref = reference()
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - set(ANSWER_FIELDS))
    if unknown:
        errors["answers"] = [f"Unknown questions: {', '.join(map(str, unknown))}."]

    def ids(name: str, allowed: tuple[Option, ...]) -> tuple[str, ...]:
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            errors[name] = ["Expected a list of ids."]
            return ()
        known = [option.id for option in allowed]
        values = [str(v) for v in value]
        bad = [v for v in values if v not in known]
        if bad:
            errors[name] = [f"Unknown ids: {', '.join(bad)}. Expected some of: {', '.join(known)}."]
            return ()
        return tuple(v for v in known if v in values)  # reference order, no duplicates

    def flag(name: str) -> bool:
        value = raw.get(name, False)
        if not isinstance(value, bool):
            errors[name] = ["Expected true or false."]
            return False
        return value

    answers = Answers(
        prohibited_practices=ids("prohibited_practices", ref.prohibited_practices),
        annex_i_product=flag("annex_i_product"),
        annex_i_third_party_assessment=flag("annex_i_third_party_assessment"),
        annex_iii_areas=ids("annex_iii_areas", ref.annex_iii_areas),
        art_6_3_exemption=flag("art_6_3_exemption"),
        art_6_3_condition=str(raw.get("art_6_3_condition") or ""),
        profiling=flag("profiling"),
        transparency_duties=ids("transparency_duties", ref.transparency_duties),
        gpai_model=flag("gpai_model"),
        gpai_systemic_risk=flag("gpai_systemic_risk"),
    )
    if answers.art_6_3_condition and answers.art_6_3_condition not in EXEMPTION_CONDITIONS:
        errors["art_6_3_condition"] = [f"Expected one of: {', '.join(EXEMPTION_CONDITIONS)}."]
    if answers.annex_i_third_party_assessment and not answers.annex_i_product:
        errors.setdefault("annex_i_third_party_assessment", []).append(
            "Third-party conformity assessment is asked only of an Annex I product or safety component."
        )
    if answers.art_6_3_exemption and not answers.annex_iii_areas:
        errors.setdefault("art_6_3_exemption", []).append(
            "The Art. 6(3) exemption applies only to a system in an Annex III area."
        )
    if answers.art_6_3_exemption and not answers.art_6_3_condition:
        errors.setdefault("art_6_3_condition", []).append("Name the Art. 6(3) condition the system meets.")
    if answers.gpai_systemic_risk and not answers.gpai_model:
        errors.setdefault("gpai_systemic_risk", []).append(
            "Systemic risk is a property of a general-purpose AI model."
        )
    if errors:
        raise InvalidAnswers(errors)
    return answers


@dataclass(frozen=True)
class Result:
    """The outcome of a classification: the tier, what led to it, and what follows beside it."""

    tier: RiskTier
    routes: tuple[str, ...] = ()
    transparency_duties: tuple[str, ...] = ()
    gpai_model: bool = False
    gpai_systemic_risk: bool = False
    exemption_applied: bool = False
    rationale: tuple[str, ...] = field(default_factory=tuple)

    @property
    def rationale_text(self) -> str:
        return "\n".join(self.rationale)


def classify(answers: Answers) -> Result:
    """Map validated answers to an EU AI Act tier. Pure: same answers, same result."""
    reference()
    why: list[str] = []
    duties = answers.transparency_duties
    gpai_notes = _gpai_notes(answers)
    if answers.prohibited_practices:
        practices = ", ".join(f"Art. {ref_id}" for ref_id in answers.prohibited_practices)
        why.append(f"Prohibited practice under {practices}: the system may not be placed on the market or used.")
        return Result(
            RiskTier.PROHIBITED,
            routes=answers.prohibited_practices,
            transparency_duties=duties,
            gpai_model=answers.gpai_model,
            gpai_systemic_risk=answers.gpai_systemic_risk,
            rationale=(*why, *gpai_notes),
        )

    routes: list[str] = []
    exemption_applied = False
    if answers.annex_i_product and answers.annex_i_third_party_assessment:
        routes.append("6(1)")
        why.append(
            "High-risk under Art. 6(1): an Annex I product or safety component that needs third-party "
            "conformity assessment."
        )
    elif answers.annex_i_product:
        why.append("An Annex I product without third-party conformity assessment is not high-risk under Art. 6(1).")

    if answers.annex_iii_areas:
        areas = ", ".join(f"Annex III area {a}" for a in answers.annex_iii_areas)
        if answers.art_6_3_exemption and answers.profiling:
            routes.extend(["6(2)", *(f"annex_iii:{a}" for a in answers.annex_iii_areas)])
            why.append(
                f"High-risk under Art. 6(2) ({areas}). The Art. 6(3) exemption was claimed but does not "
                "apply: the system profiles natural persons."
            )
        elif answers.art_6_3_exemption:
            exemption_applied = True
            condition = EXEMPTION_CONDITIONS[answers.art_6_3_condition]
            why.append(
                f"In {areas}, but not high-risk under the Art. 6(3) exemption: {condition} The assessment "
                "must be documented (Art. 6(4)) and the system still registered (Art. 49(2))."
            )
        else:
            routes.extend(["6(2)", *(f"annex_iii:{a}" for a in answers.annex_iii_areas)])
            why.append(f"High-risk under Art. 6(2): {areas}.")

    if routes:
        if duties:
            why.append(f"Transparency duties apply as well: {_duty_list(duties)}.")
        return Result(
            RiskTier.HIGH,
            routes=tuple(routes),
            transparency_duties=duties,
            gpai_model=answers.gpai_model,
            gpai_systemic_risk=answers.gpai_systemic_risk,
            rationale=(*why, *gpai_notes),
        )
    if duties:
        why.append(f"Limited risk: transparency duties under {_duty_list(duties)}.")
        tier = RiskTier.LIMITED
        routes = list(duties)
    else:
        why.append(
            "Minimal risk: no prohibited practice, no high-risk route and no transparency duty. AI literacy "
            "(Art. 4) still applies; voluntary codes of conduct are encouraged."
        )
        tier = RiskTier.MINIMAL
    return Result(
        tier,
        routes=tuple(routes),
        transparency_duties=duties,
        gpai_model=answers.gpai_model,
        gpai_systemic_risk=answers.gpai_systemic_risk,
        exemption_applied=exemption_applied,
        rationale=(*why, *gpai_notes),
    )


def _duty_list(duties: tuple[str, ...]) -> str:
    return ", ".join(f"Art. {d}" for d in duties)


def _gpai_notes(answers: Answers) -> list[str]:
    if answers.gpai_systemic_risk:
        return [
            "General-purpose AI model with systemic risk: Art. 53 duties plus Art. 55 (evaluation, "
            "systemic-risk mitigation, incident reporting, cybersecurity) and notification under Art. 52."
        ]
    if answers.gpai_model:
        return [
            "General-purpose AI model: Art. 53 duties (technical documentation, downstream information, "
            "copyright policy, training-content summary)."
        ]
    return []


def describe(answers: Answers) -> list[str]:
    """The answers that were given, one line each, as a person reads them beside the tier."""
    ref = reference()
    areas = {o.id: o.text for o in ref.annex_iii_areas}
    lines = []
    if answers.prohibited_practices:
        lines.append("Art. 5 practices: " + ", ".join(answers.prohibited_practices))
    if answers.annex_i_product:
        third_party = "with" if answers.annex_i_third_party_assessment else "without"
        lines.append(f"Annex I product or safety component, {third_party} third-party conformity assessment")
    if answers.annex_iii_areas:
        lines.append("Annex III: " + "; ".join(f"area {a} ({areas[a]})" for a in answers.annex_iii_areas))
    if answers.art_6_3_exemption:
        lines.append(f"Art. 6(3) exemption claimed: {EXEMPTION_CONDITIONS[answers.art_6_3_condition]}")
    if answers.profiling:
        lines.append("Profiles natural persons")
    if answers.transparency_duties:
        lines.append("Art. 50 duties: " + ", ".join(answers.transparency_duties))
    if answers.gpai_model:
        lines.append("General-purpose AI model" + (" with systemic risk" if answers.gpai_systemic_risk else ""))
    return lines or ["No question answered yes."]
