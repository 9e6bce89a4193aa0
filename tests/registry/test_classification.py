"""The EU AI Act tier logic, case by case against the reference data (registry/data/eu_ai_act.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from registry.choices import RiskTier
from registry.classification import (
    DATA_FILE,
    EXEMPTION_CONDITIONS,
    InvalidAnswers,
    classify,
    parse_answers,
    reference,
)

REFERENCE = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
TIERS = {tier["article"].split(" ")[0]: tier for tier in REFERENCE["risk_tiers"]}
PRACTICES = [p["ref"] for p in TIERS["5"]["practices"]]
AREAS = [str(a["area"]) for a in REFERENCE["annex_iii"]]
DUTIES = [o["ref"] for o in TIERS["50"]["obligations"] if o["ref"] != "50(5)"]


def result(**answers):
    return classify(parse_answers(answers))


def test_the_questions_keep_the_reference_ids() -> None:
    ref = reference()
    assert [o.id for o in ref.prohibited_practices] == PRACTICES
    assert len(PRACTICES) == REFERENCE["counts"]["prohibited_practices_art5"]
    assert [o.id for o in ref.annex_iii_areas] == AREAS
    assert len(AREAS) == REFERENCE["counts"]["annex_iii_areas"]
    assert [o.id for o in ref.transparency_duties] == ["50(1)", "50(2)", "50(3)", "50(4)"]
    # The questions show the reference's paraphrases, not text of their own.
    assert ref.prohibited_practices[2].text == TIERS["5"]["practices"][2]["text"]
    assert ref.derogation == TIERS["6"]["derogation"]


def test_the_project_copy_matches_the_shared_reference() -> None:
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "eu_ai_act.yaml"
    if not shared.exists():
        pytest.skip("the shared reference is not beside this checkout")
    assert yaml.safe_load(shared.read_text(encoding="utf-8")) == REFERENCE


@pytest.mark.parametrize("practice", PRACTICES)
def test_every_art_5_practice_makes_the_system_prohibited(practice: str) -> None:
    outcome = result(prohibited_practices=[practice])
    assert outcome.tier == RiskTier.PROHIBITED
    assert outcome.routes == (practice,)
    assert f"Art. {practice}" in outcome.rationale_text


def test_a_prohibited_practice_decides_even_when_a_high_risk_route_applies() -> None:
    outcome = result(prohibited_practices=["5(1)(f)"], annex_iii_areas=["4"], transparency_duties=["50(3)"])
    assert outcome.tier == RiskTier.PROHIBITED
    assert outcome.transparency_duties == ("50(3)",)


def test_an_annex_i_product_needing_third_party_assessment_is_high_risk_under_6_1() -> None:
    outcome = result(annex_i_product=True, annex_i_third_party_assessment=True)
    assert outcome.tier == RiskTier.HIGH
    assert outcome.routes == ("6(1)",)


def test_an_annex_i_product_without_third_party_assessment_is_not_high_risk() -> None:
    outcome = result(annex_i_product=True)
    assert outcome.tier == RiskTier.MINIMAL
    assert "not high-risk under Art. 6(1)" in outcome.rationale_text


@pytest.mark.parametrize("area", AREAS)
def test_every_annex_iii_area_makes_the_system_high_risk_under_6_2(area: str) -> None:
    outcome = result(annex_iii_areas=[area])
    assert outcome.tier == RiskTier.HIGH
    assert outcome.routes == ("6(2)", f"annex_iii:{area}")


def test_creditworthiness_scoring_is_high_risk_via_annex_iii_area_5() -> None:
    area_5 = next(a for a in REFERENCE["annex_iii"] if a["area"] == 5)
    assert any("Creditworthiness" in use for use in area_5["use_cases"])
    outcome = result(annex_iii_areas=["5"], profiling=True)
    assert outcome.tier == RiskTier.HIGH
    assert "Annex III area 5" in outcome.rationale_text


@pytest.mark.parametrize("condition", list(EXEMPTION_CONDITIONS))
def test_the_art_6_3_exemption_makes_an_annex_iii_system_not_high_risk(condition: str) -> None:
    outcome = result(annex_iii_areas=["5"], art_6_3_exemption=True, art_6_3_condition=condition)
    assert outcome.tier == RiskTier.MINIMAL
    assert outcome.exemption_applied
    assert "Art. 6(4)" in outcome.rationale_text and "Art. 49(2)" in outcome.rationale_text


def test_the_art_6_3_exemption_never_applies_to_profiling_of_natural_persons() -> None:
    outcome = result(annex_iii_areas=["4"], art_6_3_exemption=True, art_6_3_condition="preparatory", profiling=True)
    assert outcome.tier == RiskTier.HIGH
    assert not outcome.exemption_applied
    assert "profiles natural persons" in outcome.rationale_text


def test_an_exempted_annex_iii_system_with_transparency_duties_is_limited_risk() -> None:
    outcome = result(
        annex_iii_areas=["5"],
        art_6_3_exemption=True,
        art_6_3_condition="narrow_procedural",
        transparency_duties=["50(1)"],
    )
    assert outcome.tier == RiskTier.LIMITED


@pytest.mark.parametrize("duty", DUTIES)
def test_each_art_50_duty_alone_makes_the_system_limited_risk(duty: str) -> None:
    outcome = result(transparency_duties=[duty])
    assert outcome.tier == RiskTier.LIMITED
    assert outcome.transparency_duties == (duty,)


def test_a_high_risk_system_keeps_its_transparency_duties_beside_its_tier() -> None:
    outcome = result(annex_iii_areas=["1"], transparency_duties=["50(3)"])
    assert outcome.tier == RiskTier.HIGH
    assert outcome.transparency_duties == ("50(3)",)
    assert "Transparency duties apply as well" in outcome.rationale_text


def test_no_answers_make_a_minimal_risk_system() -> None:
    outcome = result()
    assert outcome.tier == RiskTier.MINIMAL
    assert outcome.routes == ()
    assert "Art. 4" in outcome.rationale_text


def test_a_gpai_model_is_flagged_beside_its_tier() -> None:
    outcome = result(gpai_model=True)
    assert outcome.tier == RiskTier.MINIMAL
    assert outcome.gpai_model and not outcome.gpai_systemic_risk
    assert "Art. 53" in outcome.rationale_text


def test_a_gpai_model_with_systemic_risk_carries_the_art_55_duties() -> None:
    outcome = result(gpai_model=True, gpai_systemic_risk=True, transparency_duties=["50(2)"])
    assert outcome.tier == RiskTier.LIMITED
    assert outcome.gpai_model and outcome.gpai_systemic_risk
    assert "Art. 55" in outcome.rationale_text and "Art. 52" in outcome.rationale_text


def test_the_same_answers_always_give_the_same_result() -> None:
    answers = {"annex_iii_areas": ["5", "4"], "transparency_duties": ["50(1)"]}
    assert classify(parse_answers(answers)) == classify(parse_answers(answers))
    # Reference order, whatever order the answers came in.
    assert parse_answers(answers).annex_iii_areas == ("4", "5")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"prohibited_practices": ["5(1)(z)"]}, "prohibited_practices"),
        ({"annex_iii_areas": ["9"]}, "annex_iii_areas"),
        ({"annex_iii_areas": "5"}, "annex_iii_areas"),
        ({"transparency_duties": ["50(5)"]}, "transparency_duties"),
        ({"profiling": "yes"}, "profiling"),
        ({"art_6_3_exemption": True, "art_6_3_condition": "preparatory"}, "art_6_3_exemption"),
        ({"annex_iii_areas": ["5"], "art_6_3_exemption": True}, "art_6_3_condition"),
        ({"annex_iii_areas": ["5"], "art_6_3_exemption": True, "art_6_3_condition": "other"}, "art_6_3_condition"),
        ({"annex_i_third_party_assessment": True}, "annex_i_third_party_assessment"),
        ({"gpai_systemic_risk": True}, "gpai_systemic_risk"),
        ({"surprise": True}, "answers"),
    ],
)
def test_contradictory_or_unknown_answers_are_refused_by_field(answers: dict, field: str) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(answers)
    assert field in caught.value.errors


def test_answers_that_are_not_an_object_are_refused() -> None:
    with pytest.raises(InvalidAnswers):
        parse_answers(["5(1)(a)"])
