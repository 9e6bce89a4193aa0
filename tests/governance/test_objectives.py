"""AI objectives (6.2): the nav entry, KPIs entered by hand or named as evidence metrics, progress history."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from tests.governance.factories import KpiFactory, ObjectiveFactory


def test_the_objectives_nav_entry_shows_to_readers_and_not_to_outsiders(owner, outsider) -> None:
    page = owner.client().get(reverse("home"))
    assert reverse("governance:objective-list") in page.content.decode()
    page = outsider.client().get(reverse("home"))
    assert reverse("governance:objective-list") not in page.content.decode()


def test_an_officer_sets_an_objective_in_the_ui_with_history(officer) -> None:
    response = officer.client().post(
        reverse("governance:objective-create"),
        {
            "title": "Zero unapproved models",
            "description": "",
            "owner": officer.user.pk,
            "target": "No request reaches an unapproved model",
            "due_on": "2027-03-31",
            "status": "planned",
            "reason": "Committee decision 2026-11",
        },
    )
    assert response.status_code == 302
    page = officer.client().get(reverse("governance:objective-list"))
    assert "Zero unapproved models" in page.content.decode()
    from aims.governance.models import Objective

    objective = Objective.objects.get()
    assert objective.history.latest().history_change_reason == "Committee decision 2026-11"


def test_kpi_values_build_a_progress_history_and_the_objective_progress(officer, auditor) -> None:
    kpi = KpiFactory(target_value=Decimal("95"))
    url = reverse("api:aims-kpi-measurements", kwargs={"pk": kpi.pk})
    for value, day in (("80", "2026-09-30"), ("96", "2026-10-31")):
        assert officer.api().post(url, {"value": value, "measured_on": day}, format="json").status_code == 201
    history = auditor.api().get(url).json()
    assert [h["value"] for h in history] == ["96.0000", "80.0000"]
    kpi.refresh_from_db()
    assert kpi.current_value == Decimal("96") and kpi.met
    objective = auditor.api().get(reverse("api:objective-detail", kwargs={"pk": kpi.objective_id})).json()
    assert objective["progress_percent"] == 100.0


def test_an_evidence_metric_kpi_must_name_its_metric(officer) -> None:
    objective = ObjectiveFactory()
    body = {"objective": objective.pk, "name": "Redaction", "source": "evidence_metric", "target_value": "100"}
    refused = officer.api().post(reverse("api:aims-kpi-list"), body, format="json")
    assert refused.status_code == 400 and "metric_name" in refused.json()["error"]["fields"]
    ok = officer.api().post(
        reverse("api:aims-kpi-list"), {**body, "metric_name": "redaction_executed_ratio"}, format="json"
    )
    assert ok.status_code == 201
    assert ok.json()["current_value"] is None


def test_the_objective_page_records_a_value_for_a_kpi(officer) -> None:
    kpi = KpiFactory(direction="at_most", target_value=Decimal("0"))
    response = officer.client().post(
        reverse("governance:kpi-record", kwargs={"pk": kpi.pk}), {"value": "2", "measured_on": "2026-11-01"}
    )
    assert response.status_code == 302
    page = officer.client().get(reverse("governance:objective-detail", kwargs={"pk": kpi.objective_id}))
    assert "not met" in page.content.decode()


def test_auditors_read_objectives_but_cannot_change_them(auditor) -> None:
    objective = ObjectiveFactory()
    url = reverse("api:objective-detail", kwargs={"pk": objective.pk})
    assert auditor.api().get(url).status_code == 200
    assert auditor.api().patch(url, {"status": "achieved"}, format="json").status_code == 403
