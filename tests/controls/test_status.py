"""A control's status from what operates: the pure rules, then the same rules fed from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from controls import selectors, services
from controls.choices import CheckOutcome, ControlStatus
from controls.status import FRESHNESS_WINDOW, ArtifactFact, ResultFact, control_status
from evidence.models import EvidenceArtifact
from tests.controls.factories import ControlImplementationFactory, RequirementFactory, SoAEntryFactory

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def _result(days_ago: int, outcome: str, *, metric: str = "M-1", implementation: int = 1) -> ResultFact:
    return ResultFact(implementation, metric, NOW - timedelta(days=days_ago), outcome)


def _status(results=(), artifacts=(), applies: bool = True) -> ControlStatus:
    return control_status(applies=applies, results=results, artifacts=artifacts, now=NOW)


def test_a_control_that_does_not_apply_is_not_applicable_whatever_the_evidence() -> None:
    assert _status([_result(1, CheckOutcome.FAIL)], applies=False) == ControlStatus.NOT_APPLICABLE


def test_nothing_at_all_is_not_evidenced() -> None:
    assert _status() == ControlStatus.NOT_EVIDENCED


def test_a_passing_result_in_the_window_is_operating() -> None:
    assert _status([_result(3, CheckOutcome.PASS)]) == ControlStatus.OPERATING


def test_the_latest_failed_result_of_any_metric_makes_it_failing() -> None:
    results = [_result(3, CheckOutcome.PASS, metric="M-1"), _result(2, CheckOutcome.FAIL, metric="M-2")]
    assert _status(results) == ControlStatus.FAILING


def test_a_failure_followed_by_a_pass_of_the_same_metric_is_operating_again() -> None:
    assert _status([_result(5, CheckOutcome.FAIL), _result(1, CheckOutcome.PASS)]) == ControlStatus.OPERATING


def test_a_failure_outside_the_window_no_longer_counts() -> None:
    old = FRESHNESS_WINDOW.days + 1
    assert _status([_result(old, CheckOutcome.FAIL), _result(1, CheckOutcome.PASS)]) == ControlStatus.OPERATING


def test_results_older_than_the_window_only_are_stale() -> None:
    assert _status([_result(FRESHNESS_WINDOW.days + 5, CheckOutcome.PASS)]) == ControlStatus.STALE


def test_an_artifact_in_force_is_operating() -> None:
    artifact = ArtifactFact(TODAY - timedelta(days=10), TODAY + timedelta(days=10))
    assert _status(artifacts=[artifact]) == ControlStatus.OPERATING


def test_an_artifact_counts_on_its_expiry_date_and_not_the_day_after() -> None:
    assert _status(artifacts=[ArtifactFact(date(2026, 1, 1), TODAY)]) == ControlStatus.OPERATING
    assert _status(artifacts=[ArtifactFact(date(2026, 1, 1), TODAY - timedelta(days=1))]) == ControlStatus.STALE


def test_an_artifact_that_takes_effect_later_is_not_evidence_yet() -> None:
    future = ArtifactFact(TODAY + timedelta(days=1), TODAY + timedelta(days=100))
    assert _status(artifacts=[future]) == ControlStatus.NOT_EVIDENCED


def test_a_fresh_failure_beats_an_artifact_in_force() -> None:
    artifact = ArtifactFact(TODAY - timedelta(days=10), TODAY + timedelta(days=10))
    assert _status([_result(1, CheckOutcome.FAIL)], [artifact]) == ControlStatus.FAILING


# --- from the database -----------------------------------------------------------------------------------------


def _artifact(officer, implementation, *, expires_in: int) -> EvidenceArtifact:
    today = timezone.localdate()
    artifact = EvidenceArtifact.objects.create(
        title="Minutes",
        effective_on=today - timedelta(days=400),
        expires_on=today + timedelta(days=expires_in),
        uploaded_by=officer.user,
    )
    artifact.implementations.add(implementation)
    return artifact


@pytest.mark.django_db
def test_expiry_of_the_only_evidence_lowers_the_soa_row_from_operating_to_stale(officer) -> None:
    requirement = RequirementFactory()
    implementation = ControlImplementationFactory(owner=officer.user)
    implementation.requirement_links.create(requirement=requirement)
    entry = SoAEntryFactory(requirement=requirement)
    artifact = _artifact(officer, implementation, expires_in=5)
    assert selectors.soa_rows([entry])[0].status == ControlStatus.OPERATING

    EvidenceArtifact.objects.filter(pk=artifact.pk).update(expires_on=timezone.localdate() - timedelta(days=1))

    assert selectors.soa_rows([entry])[0].status == ControlStatus.STALE
    page = officer.client().get(f"/controls/requirements/{requirement.pk}/")
    assert page.context["soa_row"].status == ControlStatus.STALE


@pytest.mark.django_db
def test_evidence_of_an_implementation_counts_for_every_requirement_it_satisfies(officer) -> None:
    first, second = RequirementFactory(), RequirementFactory()
    implementation = ControlImplementationFactory(owner=officer.user)
    implementation.requirement_links.create(requirement=first)
    implementation.requirement_links.create(requirement=second)
    entries = [SoAEntryFactory(requirement=first), SoAEntryFactory(requirement=second)]
    _artifact(officer, implementation, expires_in=30)

    assert [row.status for row in selectors.soa_rows(entries)] == [ControlStatus.OPERATING] * 2


@pytest.mark.django_db
def test_a_recorded_failing_check_makes_the_row_failing_and_shows_on_the_control_page(officer) -> None:
    requirement = RequirementFactory()
    implementation = ControlImplementationFactory(owner=officer.user)
    implementation.requirement_links.create(requirement=requirement)
    entry = SoAEntryFactory(requirement=requirement)
    now = timezone.now()

    services.record_check_result(
        implementation=implementation,
        period_start=now - timedelta(days=1),
        period_end=now,
        metric="M-MODEL-BLOCK",
        value=3,
        target="= 0",
        outcome=CheckOutcome.FAIL,
        source="automated:unapproved-models",
    )

    assert selectors.soa_rows([entry])[0].status == ControlStatus.FAILING
    page = officer.client().get(f"/controls/implementations/{implementation.pk}/")
    assert page.context["control_status"] == ControlStatus.FAILING
    assert "M-MODEL-BLOCK" in page.content.decode()


@pytest.mark.django_db
def test_a_check_result_names_its_source_and_people_need_the_permission(officer, auditor) -> None:
    from aims.core.exceptions import NotAllowed, ServiceError

    implementation = ControlImplementationFactory(owner=officer.user)
    now = timezone.now()
    fields = dict(implementation=implementation, period_start=now, period_end=now, metric="M", value=1, target="= 1")
    with pytest.raises(ServiceError):
        services.record_check_result(outcome="pass", source="somewhere", **fields)
    with pytest.raises(NotAllowed):
        services.record_check_result(outcome="pass", source="manual", user=auditor.user, **fields)
    result = services.record_check_result(outcome="pass", source="manual", user=officer.user, **fields)
    assert result.recorded_by == officer.user
