"""Bundle loading, validation and revision."""

import copy
import hashlib
import json

import pytest
from enforcement.bundle import load_bundle, revision
from enforcement.errors import BundleError
from enforcement.examples import example_bundle
from enforcement.jcs import canonicalize


def test_it_computes_the_revision_as_sha256_of_the_jcs_form() -> None:
    bundle = example_bundle()
    assert revision(bundle) == hashlib.sha256(canonicalize(bundle)).hexdigest()
    assert load_bundle(bundle).revision == revision(bundle)


def test_the_revision_ignores_key_order_and_whitespace() -> None:
    bundle = example_bundle()
    text = json.dumps(bundle, indent=4, sort_keys=True)
    reordered = dict(reversed(list(bundle.items())))
    assert revision(json.loads(text)) == revision(reordered) == revision(bundle)


def test_the_revision_changes_with_any_policy_change() -> None:
    bundle = example_bundle()
    changed = copy.deepcopy(bundle)
    changed["use_cases"]["support-summaries"]["allowed_models"].append("gpt-4o")
    assert revision(changed) != revision(bundle)


def test_it_loads_json_text() -> None:
    loaded = load_bundle(json.dumps(example_bundle()))
    assert loaded.name == "example-policy"
    assert loaded.use_cases["support-summaries"].model_rule_id == "R-MODEL"
    assert loaded.rules["R-MODEL"].controls == ("A.9.4", "A.10.3")
    assert loaded.unknown_use_case_rule_id == "R-UNKNOWN"


def test_it_maps_each_entity_to_its_pii_rule() -> None:
    use_case = load_bundle(example_bundle()).use_cases["support-summaries"]
    assert use_case.pii_rule_for["CREDIT_CARD"] == "R-PII-FIN"
    assert use_case.pii_rule_for["EMAIL_ADDRESS"] == "R-PII"


def test_the_use_case_fail_mode_defaults_to_the_bundle_default() -> None:
    bundle = example_bundle()
    del bundle["use_cases"]["code-assistant"]["fail_mode"]
    bundle["defaults"]["fail_mode"] = "open"
    assert load_bundle(bundle).use_cases["code-assistant"].fail_mode == "open"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(schema_version="2.0"), "schema_version"),
        (lambda b: b.update(issued_at="yesterday"), "issued_at"),
        (lambda b: b["rules"]["R-MODEL"].update(kind="magic"), "rules.R-MODEL.kind"),
        (lambda b: b["rules"]["R-MODEL"].update(id="R-OTHER"), "rules.R-MODEL.id"),
        (lambda b: b["rules"]["R-DENY"]["params"].update(terms=[]), "rules.R-DENY.params.terms"),
        (lambda b: b["rules"]["R-SIZE"]["params"].update(max_chars=0), "rules.R-SIZE.params.max_chars"),
        (lambda b: b["use_cases"]["support-summaries"]["pii"].update(PASSPORT="mask"), "unknown entity type"),
        (lambda b: b["use_cases"]["support-summaries"]["pii"].update(EMAIL_ADDRESS="shred"), "operator"),
        (lambda b: b["use_cases"]["support-summaries"]["rules"].append("R-NOPE"), "unknown rule"),
        (lambda b: b["use_cases"]["support-summaries"].update(fail_mode="maybe"), "fail_mode"),
        (lambda b: b["use_cases"]["code-assistant"].update(redaction_required=True), "redaction_required"),
    ],
)
def test_it_rejects_malformed_bundles_naming_the_field(mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    bundle = example_bundle()
    mutate(bundle)
    with pytest.raises(BundleError, match=field):
        load_bundle(bundle)


def test_it_rejects_invalid_json() -> None:
    with pytest.raises(BundleError):
        load_bundle("{not json")
