"""decide(): the decision, the redacted text, the reasons and the redaction record."""

import pytest
from enforcement import ENGINE_NAME
from enforcement.bundle import load_bundle
from enforcement.engine import Reason, decide, fail_mode_for
from enforcement.errors import EnforcementError, HashKeyError
from enforcement.examples import example_bundle

BUNDLE = load_bundle(example_bundle())
KEY = b"deployment-key-0123456789abcdef"


def run(text: str, use_case: str = "support-summaries", model: str = "gpt-4o-mini", **kwargs):  # type: ignore[no-untyped-def]
    return decide(BUNDLE, use_case=use_case, model=model, text=text, hash_key=KEY, **kwargs)


def test_it_allows_clean_text_and_records_that_redaction_ran() -> None:
    result = run("Summarise the meeting notes.")
    assert result.decision == "allow"
    assert result.text == "Summarise the meeting notes."
    assert result.reasons == ()
    assert result.redaction.executed is True
    assert result.redaction.counts == {}
    assert result.redaction.engine == ENGINE_NAME
    assert result.revision == BUNDLE.revision
    assert result.rule_ids == ("R-MODEL", "R-PII", "R-PII-FIN", "R-DENY", "R-SIZE")


def test_it_redacts_with_each_entity_types_operator() -> None:
    result = run("Mail jane@example.com or call +44 20 7946 0958 about NHS 943 476 5919.")
    assert result.decision == "redact"
    assert result.text is not None
    assert "<EMAIL_ADDRESS>" in result.text
    assert "+** ** **** ****" in result.text
    assert "<UK_NHS:" in result.text and "943 476 5919" not in result.text
    assert result.reasons == (Reason("pii_redacted", "R-PII"),)
    assert result.redaction.counts == {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1, "UK_NHS": 1}


def test_it_leaves_entity_types_outside_the_policy_alone() -> None:
    result = run("SSN 123-45-6789")  # US_SSN is not in this use case's pii map
    assert result.decision == "allow"
    assert result.text == "SSN 123-45-6789"


def test_it_blocks_pii_whose_operator_is_block_and_returns_no_text() -> None:
    result = run("Charge 4111 1111 1111 1111 and mail jane@example.com")
    assert result.decision == "block"
    assert result.text is None
    assert result.reasons == (Reason("pii_blocked", "R-PII-FIN"),)
    assert result.redaction.executed is True
    assert result.redaction.counts == {"CREDIT_CARD": 1, "EMAIL_ADDRESS": 1}


def test_it_blocks_models_not_on_the_allow_list_without_scanning() -> None:
    result = run("mail jane@example.com", model="gpt-4o")
    assert result.decision == "block"
    assert result.reasons == (Reason("model_not_allowed", "R-MODEL"),)
    assert result.redaction.executed is False


def test_it_blocks_unknown_use_cases_with_the_bundle_rule() -> None:
    result = run("hello", use_case="shadow-it")
    assert result.decision == "block"
    assert result.reasons == (Reason("unknown_use_case", "R-UNKNOWN"),)
    assert result.rule_ids == ("R-UNKNOWN",)
    assert result.use_case == "shadow-it"


def test_it_blocks_unknown_use_cases_even_without_such_a_rule() -> None:
    bundle = example_bundle()
    del bundle["rules"]["R-UNKNOWN"]
    result = decide(bundle, use_case="nope", model="gpt-4o-mini", text="hi")
    assert result.decision == "block"
    assert result.reasons == (Reason("unknown_use_case", None),)


def test_it_blocks_deny_terms_as_whole_words_in_any_case() -> None:
    assert run("Status of PROJECT NIGHTJAR?").reasons == (Reason("deny_term", "R-DENY"),)
    assert run("The Bluebird launch").decision == "block"
    assert run("bluebirds are birds").decision == "allow"  # whole words only


def test_it_blocks_input_over_the_size_limit() -> None:
    result = run("a" * 20001)
    assert result.decision == "block"
    assert result.reasons == (Reason("max_input_chars", "R-SIZE"),)


def test_it_reports_every_blocking_content_reason() -> None:
    result = run("bluebird card 4111 1111 1111 1111")
    assert result.reasons == (Reason("deny_term", "R-DENY"), Reason("pii_blocked", "R-PII-FIN"))


def test_a_use_case_without_pii_policy_does_not_claim_redaction() -> None:
    result = run("mail jane@example.com", use_case="code-assistant", model="gpt-4o")
    assert result.decision == "allow"
    assert result.redaction.executed is False


def test_it_accepts_a_bundle_dict() -> None:
    assert (
        decide(example_bundle(), use_case="support-summaries", model="gpt-4o-mini", text="x").decision
        == "allow"
    )


def test_it_needs_a_hash_key_only_when_something_is_hashed() -> None:
    assert decide(BUNDLE, use_case="support-summaries", model="gpt-4o-mini", text="plain").decision == "allow"
    with pytest.raises(HashKeyError):
        decide(BUNDLE, use_case="support-summaries", model="gpt-4o-mini", text="NHS 943 476 5919")


def test_it_never_shows_the_text_in_a_repr_or_an_error() -> None:
    secret = "mail jane@example.com"
    result = run(secret)
    assert "jane" not in repr(result) and "EMAIL_ADDRESS>" not in repr(result)
    with pytest.raises(EnforcementError) as excinfo:
        decide(
            BUNDLE,
            use_case="support-summaries",
            model="gpt-4o-mini",
            text="NHS 943 476 5919",
            hash_key="short",
        )
    assert "943" not in str(excinfo.value)
    with pytest.raises(TypeError) as type_error:
        decide(BUNDLE, use_case="support-summaries", model="gpt-4o-mini", text=b"jane@example.com")  # type: ignore[arg-type]
    assert "jane" not in str(type_error.value)


def test_to_dict_has_the_decide_endpoint_shape() -> None:
    result = run("mail jane@example.com").to_dict()
    assert set(result) == {"decision", "text", "reasons", "redaction", "revision", "rule_ids"}
    assert result["reasons"] == [{"code": "pii_redacted", "rule_id": "R-PII"}]
    assert result["redaction"] == {"executed": True, "engine": ENGINE_NAME, "counts": {"EMAIL_ADDRESS": 1}}


def test_it_tells_the_fail_mode_to_apply_on_error() -> None:
    assert fail_mode_for(BUNDLE, "code-assistant") == "open"
    assert fail_mode_for(BUNDLE, "support-summaries") == "closed"
    assert fail_mode_for(BUNDLE, "unknown") == "closed"
