"""Authorization matrix rows of the risks app (tests/matrix.py explains the columns).

Every role holder reads risks, criteria and impact assessments. Officers edit everything; owners edit the risks
and assessments of their own AI systems (a second row on the officer's system shows the refusal); only an
officer may ask the committee for a decision; the committee accepts risks and signs off assessments; auditors
read; outsiders get nothing.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.matrix import ROLE_HOLDERS, Row, allowed_for
from tests.registry.factories import AISystemFactory
from tests.risks.factories import (
    ImpactAssessmentFactory,
    ImpactFactory,
    RiskFactory,
    TreatmentActionFactory,
    pending_acceptance_decision,
    pending_signoff_decision,
)

READERS = allowed_for(200, ROLE_HOLDERS)
OFFICER_AND_OWNER = {"officer": 200, "owner": 200}
SYSTEM_NAME = "Owner's system"


def _owners_system(personas: dict[str, Persona]) -> Any:
    return AISystemFactory(owner=personas["owner"].user, name=SYSTEM_NAME)


def owners_risk(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": RiskFactory(ai_system=_owners_system(personas)).pk}


def officers_risk(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": RiskFactory(ai_system=AISystemFactory(owner=personas["officer"].user)).pk}


def owners_high_risk(personas: dict[str, Persona]) -> dict[str, Any]:
    risk = RiskFactory(ai_system=_owners_system(personas), inherent_impact=5, residual_likelihood=3, residual_impact=4)
    return {"pk": risk.pk}


def officers_high_risk(personas: dict[str, Persona]) -> dict[str, Any]:
    system = AISystemFactory(owner=personas["officer"].user)
    return {"pk": RiskFactory(ai_system=system, inherent_impact=5, residual_likelihood=3, residual_impact=4).pk}


def pending_risk_acceptance(personas: dict[str, Persona]) -> dict[str, Any]:
    risk = RiskFactory(ai_system=_owners_system(personas), inherent_impact=5, residual_likelihood=3, residual_impact=4)
    pending_acceptance_decision(risk, personas["officer2"].user)
    return {"pk": risk.pk}


def owners_action(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": TreatmentActionFactory(risk__ai_system=_owners_system(personas)).pk}


def owners_system(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"system_pk": _owners_system(personas).pk}


def officers_system(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"system_pk": AISystemFactory(owner=personas["officer"].user).pk}


def with_owners_system(personas: dict[str, Persona]) -> dict[str, Any]:
    _owners_system(personas)
    return {}


def owners_assessment(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": ImpactAssessmentFactory(ai_system=_owners_system(personas)).pk}


def owners_assessment_with_impact(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": ImpactFactory(assessment__ai_system=_owners_system(personas)).assessment_id}


def officers_assessment(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": ImpactAssessmentFactory(ai_system=AISystemFactory(owner=personas["officer"].user)).pk}


def pending_signoff(personas: dict[str, Persona]) -> dict[str, Any]:
    assessment = ImpactAssessmentFactory(ai_system=_owners_system(personas))
    pending_signoff_decision(assessment, personas["officer2"].user)
    return {"pk": assessment.pk}


def criteria(personas: dict[str, Persona]) -> dict[str, Any]:
    from tests.risks.factories import criteria_in_force

    return {"pk": criteria_in_force().pk}


NEW_RISK = {
    "title": "Scores drift after rate changes",
    "ai_system": SYSTEM_NAME,
    "source": "C.3.4",
    "affected_parties": "Applicants.",
    "inherent_likelihood": 3,
    "inherent_impact": 4,
    "residual_likelihood": 2,
    "residual_impact": 3,
    "owner": "owner",
    "review_on": "2027-03-31",
}
NEW_ASSESSMENT = {
    "ai_system": SYSTEM_NAME,
    "summary": "Scores applicants for credit officers.",
    "affected_stakeholders": "Applicants.",
    "next_review_on": "2027-03-31",
}
NEW_IMPACT = {
    "area": "fairness",
    "scope": "groups",
    "affected": "Older applicants",
    "description": "Lower scores.",
    "severity": "major",
}
NEW_ACTION = {"description": "Fairness test", "owner": "owner", "due_on": "2027-01-31"}
SCALE = [{"value": n, "label": f"Step {n}"} for n in range(1, 5)]
NEW_CRITERIA = {
    "name": "4x4 criteria",
    "likelihood_scale": SCALE,
    "impact_scale": SCALE,
    "levels": [
        {"level": "low", "max_score": 4, "acceptor": "owner"},
        {"level": "high", "max_score": 16, "acceptor": "committee"},
    ],
}
CRITERIA_FORM = {
    "name": "4x4 criteria",
    "likelihood_scale": "Rare\nUnlikely\nLikely\nCertain",
    "impact_scale": "Minor\nModerate\nMajor\nSevere",
    "levels": "low 4 owner\nhigh 16 committee",
}

ROWS: list[Row] = [
    # --- pages --------------------------------------------------------------------------------------------
    Row("risks:index", allowed=READERS),
    Row("risks:risk-export", allowed=READERS),
    Row("risks:risk-create", allowed=OFFICER_AND_OWNER),
    Row("risks:risk-import", allowed=OFFICER_AND_OWNER),
    Row("risks:risk-detail", kwargs=owners_risk, allowed=READERS),
    Row("risks:risk-history", kwargs=owners_risk, allowed=READERS),
    Row("risks:risk-edit", kwargs=owners_risk, allowed=OFFICER_AND_OWNER),
    Row("risks:risk-edit", kwargs=officers_risk, allowed={"officer": 200}),
    Row(
        "risks:action-create",
        method="post",
        kwargs=owners_risk,
        data=NEW_ACTION,
        allowed={"officer": 302, "owner": 302},
    ),
    Row("risks:action-create", method="post", kwargs=officers_risk, data=NEW_ACTION, allowed={"officer": 302}),
    Row("risks:action-complete", method="post", kwargs=owners_action, allowed={"officer": 302, "owner": 302}),
    Row(
        "risks:risk-owner-accept",
        method="post",
        kwargs=owners_risk,
        data={"expires_on": "2030-01-01", "rationale": "Within appetite."},
        allowed={"owner": 302},
    ),
    # Owners ask for the acceptance of the risks of their own systems (a second row: not of anyone else's).
    Row(
        "risks:risk-request-acceptance",
        method="post",
        kwargs=owners_high_risk,
        data={"expires_on": "2030-01-01"},
        allowed={"officer": 302, "owner": 302},
    ),
    Row(
        "risks:risk-request-acceptance",
        method="post",
        kwargs=officers_high_risk,
        data={"expires_on": "2030-01-01"},
        allowed={"officer": 302},
    ),
    Row(
        "risks:risk-accept",
        method="post",
        kwargs=pending_risk_acceptance,
        data={"decision": "approve", "rationale": "Accepted for a year."},
        allowed={"committee": 302},
    ),
    Row("risks:ia-list", allowed=READERS),
    Row("risks:ia-reconcile", method="post", allowed={"officer": 302}),
    Row("risks:ia-create", kwargs=owners_system, allowed=OFFICER_AND_OWNER),
    Row("risks:ia-create", kwargs=officers_system, allowed={"officer": 200}),
    Row("risks:ia-detail", kwargs=owners_assessment, allowed=READERS),
    Row("risks:ia-history", kwargs=owners_assessment, allowed=READERS),
    Row("risks:ia-edit", kwargs=owners_assessment, allowed=OFFICER_AND_OWNER),
    Row("risks:ia-edit", kwargs=officers_assessment, allowed={"officer": 200}),
    Row("risks:impact-create", kwargs=owners_assessment, allowed=OFFICER_AND_OWNER),
    Row("risks:impact-create", kwargs=officers_assessment, allowed={"officer": 200}),
    Row(
        "risks:ia-request-signoff",
        method="post",
        kwargs=owners_assessment_with_impact,
        data={"note": "please"},
        allowed={"officer": 302},
    ),
    Row(
        "risks:ia-signoff",
        method="post",
        kwargs=pending_signoff,
        data={"decision": "approve", "rationale": "Proportionate."},
        allowed={"committee": 302},
    ),
    Row("risks:criteria-list", allowed=READERS),
    Row("risks:criteria-create", allowed={"officer": 200}),
    Row("risks:criteria-create", method="post", data=CRITERIA_FORM, allowed={"officer": 302}),
    Row("risks:criteria-detail", kwargs=criteria, allowed=READERS),
    Row("risks:criteria-history", kwargs=criteria, allowed=READERS),
    # --- API ----------------------------------------------------------------------------------------------
    Row("api:risk-list", api=True, allowed=READERS),
    Row(
        "api:risk-list",
        api=True,
        method="post",
        kwargs=with_owners_system,
        data=NEW_RISK,
        allowed={"officer": 201, "owner": 201},
    ),
    Row("api:risk-detail", api=True, kwargs=owners_risk, allowed=READERS),
    Row(
        "api:risk-detail",
        api=True,
        method="patch",
        kwargs=owners_risk,
        data={"treatment": "modify"},
        allowed=OFFICER_AND_OWNER,
    ),
    Row(
        "api:risk-detail",
        api=True,
        method="patch",
        kwargs=officers_risk,
        data={"treatment": "modify"},
        allowed={"officer": 200},
    ),
    Row("api:risk-history", api=True, kwargs=owners_risk, allowed=READERS),
    Row(
        "api:risk-action-create",
        api=True,
        method="post",
        kwargs=owners_risk,
        data=NEW_ACTION,
        allowed={"officer": 201, "owner": 201},
    ),
    Row(
        "api:risk-action-complete",
        api=True,
        method="post",
        kwargs=owners_action,
        allowed=OFFICER_AND_OWNER,
    ),
    Row(
        "api:risk-owner-accept",
        api=True,
        method="post",
        kwargs=owners_risk,
        data={"expires_on": "2030-01-01", "rationale": "Within appetite."},
        allowed={"owner": 200},
    ),
    Row(
        "api:risk-request-acceptance",
        api=True,
        method="post",
        kwargs=owners_high_risk,
        data={"expires_on": "2030-01-01"},
        allowed={"officer": 201, "owner": 201},
    ),
    Row(
        "api:risk-request-acceptance",
        api=True,
        method="post",
        kwargs=officers_high_risk,
        data={"expires_on": "2030-01-01"},
        allowed={"officer": 201},
    ),
    Row(
        "api:risk-accept",
        api=True,
        method="post",
        kwargs=pending_risk_acceptance,
        data={"rationale": "Accepted for a year."},
        allowed={"committee": 200},
    ),
    Row("api:impact-assessment-list", api=True, allowed=READERS),
    Row(
        "api:impact-assessment-list",
        api=True,
        method="post",
        kwargs=with_owners_system,
        data=NEW_ASSESSMENT,
        allowed={"officer": 201, "owner": 201},
    ),
    Row("api:impact-assessment-detail", api=True, kwargs=owners_assessment, allowed=READERS),
    Row(
        "api:impact-assessment-detail",
        api=True,
        method="patch",
        kwargs=owners_assessment,
        data={"summary": "Revised."},
        allowed=OFFICER_AND_OWNER,
    ),
    Row(
        "api:impact-assessment-detail",
        api=True,
        method="patch",
        kwargs=officers_assessment,
        data={"summary": "Revised."},
        allowed={"officer": 200},
    ),
    Row("api:impact-assessment-history", api=True, kwargs=owners_assessment, allowed=READERS),
    Row(
        "api:impact-assessment-impacts",
        api=True,
        method="post",
        kwargs=owners_assessment,
        data=NEW_IMPACT,
        allowed={"officer": 201, "owner": 201},
    ),
    Row(
        "api:impact-assessment-request-signoff",
        api=True,
        method="post",
        kwargs=owners_assessment_with_impact,
        data={"note": "please"},
        allowed={"officer": 201},
    ),
    Row(
        "api:impact-assessment-signoff",
        api=True,
        method="post",
        kwargs=pending_signoff,
        data={"rationale": "Proportionate."},
        allowed={"committee": 200},
    ),
    Row("api:impact-assessment-reconcile", api=True, method="post", allowed={"officer": 200}),
    Row("api:risk-criteria-list", api=True, allowed=READERS),
    Row("api:risk-criteria-list", api=True, method="post", data=NEW_CRITERIA, allowed={"officer": 201}),
    Row("api:risk-criteria-detail", api=True, kwargs=criteria, allowed=READERS),
    Row("api:risk-criteria-history", api=True, kwargs=criteria, allowed=READERS),
]
