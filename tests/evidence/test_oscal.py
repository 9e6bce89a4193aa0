"""The OSCAL assessment results of a period: valid for compliance-trestle's model, one finding per applicable
control, satisfied only when the control operated, and the observations it rests on."""

from __future__ import annotations

import json
import zipfile
from decimal import Decimal

from trestle.oscal.assessment_results import AssessmentResults

from controls import services as control_services
from controls.choices import CheckOutcome
from controls.models import ControlImplementation, ImplementationRequirement, Requirement, SoAEntry
from evidence.pack.oscal import assessment_results
from tests.evidence import test_pack
from tests.evidence.test_pack import at, build, days_ago

# The fixtures of test_pack.py, shared by name.
signed_history = test_pack.signed_history
signing_key = test_pack.signing_key
operated_control = test_pack.operated_control


def _findings(document: dict) -> dict[str, dict]:
    return {f["target"]["target-id"]: f for f in document["assessment-results"]["results"][0]["findings"]}


def test_the_document_is_valid_oscal_for_trestle(operated_control) -> None:
    document = assessment_results(days_ago(4), days_ago(2))

    model = AssessmentResults.model_validate(document["assessment-results"])

    assert model.results[0].findings
    again = json.loads(model.oscal_serialize_json())
    assert again["assessment-results"]["uuid"] == document["assessment-results"]["uuid"]


def test_an_operating_control_is_satisfied_with_its_check_result_and_log_as_observations(operated_control) -> None:
    document = assessment_results(days_ago(4), days_ago(2))
    result = document["assessment-results"]["results"][0]
    observations = {o["uuid"]: o for o in result["observations"]}

    finding = _findings(document)["A.6.2.8"]

    assert finding["target"]["status"] == {"state": "satisfied", "reason": "pass"}
    related = [observations[r["observation-uuid"]] for r in finding["related-observations"]]
    titles = [o["title"] for o in related]
    assert "CTL-LOG-01 M-LOG-CONT: pass" in titles
    assert "Signed decision log of litellm-prod" in titles
    assert any(o["title"].startswith("Manual evidence:") for o in related)
    log = next(o for o in related if o["title"].startswith("Signed decision log"))
    assert "11 events" in log["description"]


def test_a_failing_or_unevidenced_control_is_not_satisfied(operated_control) -> None:
    failing = ControlImplementation.objects.create(
        code="CTL-MODEL-01", name="Model allow-list", description="Gateway", owner=operated_control.owner
    )
    ImplementationRequirement.objects.create(
        implementation=failing, requirement=Requirement.objects.get(framework__slug="iso42001", ref="A.10.3")
    )
    control_services.record_check_result(
        implementation=failing,
        period_start=at(days_ago(2), 0),
        period_end=at(days_ago(2), 23),
        metric="M-MODEL-EGRESS",
        value=Decimal(3),
        target="= 0",
        outcome=CheckOutcome.FAIL,
        source="automated:model-egress",
    )

    findings = _findings(assessment_results(days_ago(4), days_ago(2)))

    assert findings["A.10.3"]["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert findings["A.5.5"]["target"]["status"] == {"state": "not-satisfied", "reason": "other"}
    assert "related-observations" not in findings["A.5.5"]


def test_a_control_that_does_not_apply_is_excluded_not_judged(operated_control, officer) -> None:
    control_services.sync_soa_entries(user=officer.user)
    SoAEntry.objects.filter(requirement__ref="A.5.5").update(applies=False)

    document = assessment_results(days_ago(4), days_ago(2))

    result = document["assessment-results"]["results"][0]
    excluded = result["reviewed-controls"]["control-selections"][0]["exclude-controls"]
    assert {"control-id": "A.5.5"} in excluded
    assert "A.5.5" not in _findings(document)


def test_the_pack_carries_the_same_oscal_document(operated_control, tmp_path) -> None:
    archive, _ = build(tmp_path)
    with zipfile.ZipFile(archive) as zf:
        document = json.loads(zf.read("oscal/assessment-results.json"))

    AssessmentResults.model_validate(document["assessment-results"])
    assert _findings(document)["A.6.2.8"]["target"]["status"]["state"] == "satisfied"
