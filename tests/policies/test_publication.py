"""Compiling the bundle from the register, four-eyes publication, immutability and the draft's diff."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aims.core import services as core_services
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed
from aims.core.models import Decision
from enforcement.bundle import load_bundle, revision
from enforcement.jcs import canonicalize
from policies import compiler, selectors, services
from policies.models import PolicyBundle
from tests.policies.factories import approved_model, published_bundle, support_use_case
from tests.registry.factories import UseCaseFactory


def test_the_bundle_is_compiled_from_the_register_and_validates(db) -> None:
    support_use_case()
    UseCaseFactory(key="retired-bot", active=False)
    content = compiler.compile_bundle()
    load_bundle(content)  # raises if the engine would refuse it
    case = content["use_cases"]["support-summaries"]
    assert case["allowed_models"] == ["gpt-4o-mini"]  # the unapproved model stays off the allow-list
    assert case["pii"]["CREDIT_CARD"] == "block"
    assert case["rules"] == ["R-MODEL", "R-PII"]
    assert case["fail_mode"] == "closed" and case["redaction_required"] is True
    assert "retired-bot" not in content["use_cases"]
    assert "revision" not in content


def test_each_rule_names_the_annex_a_controls_it_implements(catalog) -> None:
    rules = compiler.compile_bundle()["rules"]
    assert {"A.9.4", "A.10.3"} <= set(rules["R-MODEL"]["controls"])
    assert {"A.7.4", "A.9.2"} <= set(rules["R-PII"]["controls"])
    assert "A.9.4" in rules["R-UNKNOWN"]["controls"]


def test_publication_needs_an_officers_request_and_another_persons_approval(officer, committee) -> None:
    support_use_case()
    bundle = services.request_publication(user=officer.user, note="New model for support")
    assert selectors.current_bundle() is None  # requested is not published
    decision = Decision.objects.get(kind=DecisionKind.POLICY_BUNDLE, subject_id=str(bundle.pk))
    assert decision.subject_version == bundle.revision
    assert decision.status == DecisionStatus.PENDING

    services.decide_publication(bundle=bundle, user=committee.user, approve=True, rationale="Reviewed")
    current = selectors.current_bundle()
    assert current == bundle
    assert current.revision == revision(bundle.content)


def test_the_revision_is_the_sha256_of_the_canonical_json(officer) -> None:
    import hashlib

    support_use_case()
    bundle = services.request_publication(user=officer.user)
    assert bundle.revision == hashlib.sha256(canonicalize(bundle.content)).hexdigest()


def test_the_requester_cannot_approve_their_own_bundle(officer) -> None:
    support_use_case()
    bundle = services.request_publication(user=officer.user)
    with pytest.raises(NotAllowed):  # officers may not decide at all
        services.decide_publication(bundle=bundle, user=officer.user, approve=True)
    officer.user.user_permissions.add(*_decide_perms())
    officer.user = type(officer.user).objects.get(pk=officer.user.pk)  # drop the permission cache
    with pytest.raises(FourEyesViolation):
        services.decide_publication(bundle=bundle, user=officer.user, approve=True)
    assert selectors.current_bundle() is None


def _decide_perms() -> list:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(codename__in=["decide_decision", "view_decision"]))


def test_only_officers_request_and_a_rejection_publishes_nothing(officer, committee, owner) -> None:
    support_use_case()
    with pytest.raises(NotAllowed):
        services.request_publication(user=owner.user)
    with pytest.raises(NotAllowed):
        services.request_publication(user=committee.user)
    bundle = services.request_publication(user=officer.user)
    with pytest.raises(Exception, match="rationale"):
        services.decide_publication(bundle=bundle, user=committee.user, approve=False)
    services.decide_publication(bundle=bundle, user=committee.user, approve=False, rationale="Wrong models")
    assert selectors.current_bundle() is None


def test_one_request_at_a_time_and_no_publication_without_a_change(officer, committee) -> None:
    use_case = support_use_case()
    bundle = services.request_publication(user=officer.user)
    with pytest.raises(Conflict):
        services.request_publication(user=officer.user)
    services.decide_publication(bundle=bundle, user=committee.user, approve=True)
    with pytest.raises(Conflict, match="not changed"):
        services.request_publication(user=officer.user)

    approved_model(use_case, gateway_name="claude-3-5-haiku", provider="Anthropic")
    newer = services.request_publication(user=officer.user)
    services.decide_publication(bundle=newer, user=committee.user, approve=True)
    assert selectors.current_bundle() == newer
    assert newer.content["use_cases"]["support-summaries"]["allowed_models"] == ["claude-3-5-haiku", "gpt-4o-mini"]


def test_the_generic_decisions_endpoint_publishes_too(officer, committee) -> None:
    support_use_case()
    bundle = services.request_publication(user=officer.user)
    decision = Decision.objects.get(kind=DecisionKind.POLICY_BUNDLE, subject_id=str(bundle.pk))
    core_services.decide(decision=decision, user=committee.user, approve=True)
    assert selectors.current_bundle() == bundle


def test_a_revision_is_immutable_and_governed(officer, committee) -> None:
    support_use_case()
    bundle = published_bundle(officer.user, committee.user)
    bundle.content = {**bundle.content, "bundle": "tampered"}
    with pytest.raises(ValidationError):
        bundle.save()
    stored = PolicyBundle.objects.get(pk=bundle.pk)
    assert stored.content["bundle"] == "aims-policy"
    record = stored.history.get()
    assert record.history_user == officer.user
    assert "Compiled" in record.history_change_reason


def test_a_revision_that_does_not_match_its_content_is_refused(officer) -> None:
    support_use_case()
    content = compiler.compile_bundle()
    bundle = PolicyBundle(name="x", revision="0" * 64, content=content, issued_at="2026-01-01T00:00Z")
    bundle.created_by = officer.user
    with pytest.raises(ValidationError):
        bundle.full_clean()


def test_the_draft_is_a_diff_against_the_current_bundle(officer, committee) -> None:
    use_case = support_use_case()
    published_bundle(officer.user, committee.user)
    current = selectors.current_bundle()
    unchanged = selectors.diff(current.content, compiler.compile_bundle())
    assert not unchanged.has_changes  # only issued_at differs, and it is ignored

    use_case.pii_policy = {"EMAIL_ADDRESS": "hash"}
    use_case.save()
    UseCaseFactory(key="hr-letters", pii_policy={"EMAIL_ADDRESS": "mask"})
    diff = selectors.diff(current.content, compiler.compile_bundle())
    assert diff.added == ["hr-letters"]
    assert diff.changed == ["support-summaries"]
    assert any(line.kind == "add" and '"EMAIL_ADDRESS": "hash"' in line.text for line in diff.lines)
    assert any(line.kind == "remove" and '"CREDIT_CARD": "block"' in line.text for line in diff.lines)
