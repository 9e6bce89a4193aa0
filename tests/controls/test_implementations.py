"""Control implementations: the controls the organisation runs, their owner, how they are done and what they
satisfy. Officers maintain them through the services; every change is kept in history with who and why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aims.core.exceptions import NotAllowed, ServiceError
from controls import services
from controls.choices import ImplementationStatus, RequirementStatus
from controls.models import ControlImplementation, ImplementationRequirement, Requirement
from tests.controls.factories import ControlImplementationFactory, RequirementFactory


def _annex_a(ref: str) -> Requirement:
    return Requirement.objects.get(framework__slug="iso42001", ref=ref)


def test_an_officer_records_a_control_that_satisfies_annex_a_and_an_eu_article(officer, owner, catalog) -> None:
    logging, art12 = _annex_a("A.6.2.8"), Requirement.objects.get(framework__slug="eu-ai-act", ref="Art. 12")

    control = services.create_implementation(
        user=officer.user,
        code="CTL-LOG-01",
        name="Gateway decision log",
        description="Every decision is logged, hash-chained and kept 13 months.",
        owner=owner.user,
        status=ImplementationStatus.IMPLEMENTED,
        requirements=[logging, art12],
        reason="Initial SoA work",
    )

    assert set(control.requirements.values_list("ref", flat=True)) == {"A.6.2.8", "Art. 12"}
    assert not control.is_custom
    record = control.history.get()
    assert (record.history_user, record.history_change_reason) == (officer.user, "Initial SoA work")
    assert ImplementationRequirement.history.filter(history_user=officer.user).count() == 2


def test_a_control_without_annex_a_requirements_is_the_organisations_own(officer, catalog) -> None:
    control = services.create_implementation(
        user=officer.user, code="CTL-OWN-1", name="Prompt library review", description="Monthly.", owner=officer.user
    )
    assert control.is_custom
    assert control.status == ImplementationStatus.PLANNED


def test_changing_the_requirements_records_each_pairing_in_history(officer, catalog) -> None:
    control = ControlImplementationFactory(owner=officer.user)
    services.update_implementation(
        implementation=control, user=officer.user, requirements=[_annex_a("A.10.3")], reason="Supplier scope"
    )

    services.update_implementation(
        implementation=control, user=officer.user, requirements=[_annex_a("A.9.4")], reason="Rescoped"
    )

    assert list(control.requirements.values_list("ref", flat=True)) == ["A.9.4"]
    kinds = list(
        ImplementationRequirement.history.filter(implementation_id=control.pk)
        .order_by("history_id")
        .values_list("history_type", "history_change_reason")
    )
    assert kinds == [("+", "Supplier scope"), ("+", "Rescoped"), ("-", "Rescoped")]


def test_an_unchanged_update_makes_no_history_row(officer, catalog) -> None:
    control = services.create_implementation(
        user=officer.user, code="CTL-1", name="Same", description="Same.", owner=officer.user
    )
    services.update_implementation(implementation=control, user=officer.user, name="Same", requirements=[])
    assert control.history.count() == 1


def test_a_withdrawn_requirement_cannot_be_newly_chosen(officer, catalog) -> None:
    withdrawn = RequirementFactory(status=RequirementStatus.WITHDRAWN)
    with pytest.raises(ServiceError, match="Withdrawn"):
        services.create_implementation(
            user=officer.user, code="CTL-2", name="X", description="Y", owner=officer.user, requirements=[withdrawn]
        )
    assert not ControlImplementation.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "committee", "auditor"], indirect=True)
def test_only_officers_may_write_implementations(persona, catalog) -> None:
    with pytest.raises(NotAllowed):
        services.create_implementation(user=persona.user, code="C", name="N", description="D", owner=persona.user)


def test_the_ui_creates_a_control_and_shows_it_on_the_requirement_page(officer, owner, catalog) -> None:
    suppliers = _annex_a("A.10.3")
    response = officer.client().post(
        reverse("controls:implementation-create"),
        {
            "code": "CTL-SUP-1",
            "name": "Model allow-list",
            "description": "Only approved models are reachable through the gateway.",
            "owner": owner.user.pk,
            "status": "implemented",
            "requirements": [suppliers.pk],
            "reason": "Supplier control",
        },
    )

    control = ControlImplementation.objects.get(code="CTL-SUP-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("controls:implementation-detail", kwargs={"pk": control.pk})
    page = owner.client().get(reverse("controls:requirement-detail", kwargs={"pk": suppliers.pk}))
    assert [c.code for c in page.context["implementations"]] == ["CTL-SUP-1"]
    detail = owner.client().get(reverse("controls:implementation-detail", kwargs={"pk": control.pk}))
    assert "Supplier control" in detail.content.decode()


def test_the_ui_refuses_a_duplicate_code_with_400(officer, catalog) -> None:
    ControlImplementationFactory(code="CTL-DUP", owner=officer.user)
    response = officer.client().post(
        reverse("controls:implementation-create"),
        {"code": "CTL-DUP", "name": "Again", "description": "x", "owner": officer.user.pk, "status": "planned"},
    )
    assert response.status_code == 400
    assert ControlImplementation.objects.filter(code="CTL-DUP").count() == 1


def test_the_list_filters_by_requirement_and_owner(officer, owner, catalog) -> None:
    mine = ControlImplementationFactory(owner=owner.user)
    ImplementationRequirement.objects.create(implementation=mine, requirement=_annex_a("A.9.4"))
    ControlImplementationFactory(owner=officer.user)

    page = officer.client().get(
        reverse("controls:implementation-list"), {"requirement": _annex_a("A.9.4").pk, "owner": "owner"}
    )

    assert [c.pk for c in page.context["page"]] == [mine.pk]


def test_the_api_creates_and_patches_a_control_with_history(officer, owner, catalog) -> None:
    api = officer.api()
    created = api.post(
        reverse("api:control-implementation-list"),
        {
            "code": "CTL-API-1",
            "name": "Redaction",
            "description": "PII is redacted before requests leave.",
            "owner": owner.user.pk,
            "requirements": [_annex_a("A.7.4").pk],
            "reason": "From the API",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [r["ref"] for r in body["requirement_refs"]] == ["A.7.4"]

    patched = api.patch(
        reverse("api:control-implementation-detail", kwargs={"pk": body["id"]}),
        {"status": "implemented", "reason": "Live"},
        format="json",
    )

    assert patched.status_code == 200
    control = ControlImplementation.objects.get(pk=body["id"])
    assert control.status == "implemented"
    assert control.history.first().history_change_reason == "Live"


@pytest.mark.parametrize("persona", ["owner", "committee", "auditor", "outsider"], indirect=True)
def test_the_api_refuses_writes_by_anyone_but_officers(persona, catalog) -> None:
    response = persona.api().post(
        reverse("api:control-implementation-list"),
        {"code": "X", "name": "X", "description": "X", "owner": persona.user.pk},
        format="json",
    )
    assert response.status_code == 403
    assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.parametrize(
    "body",
    [
        {"code": "a" * 500, "name": "n", "description": "d"},
        {"code": "NUL\x00", "name": "n", "description": "d"},
        {"code": "C", "name": "n", "description": "d", "requirements": [999999999999]},
        {"code": "C", "name": "n", "description": "d", "status": "bogus"},
    ],
    ids=["oversize", "nul", "unknown requirement", "bad status"],
)
def test_bad_api_input_answers_400_in_the_error_shape(officer, catalog, body) -> None:
    response = officer.api().post(
        reverse("api:control-implementation-list"), {**body, "owner": officer.user.pk}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_control_covers_ai_systems_and_use_cases_and_each_change_is_history(officer, db) -> None:
    from tests.registry.factories import AISystemFactory, UseCaseFactory

    system = AISystemFactory(owner=officer.user)
    use_case = UseCaseFactory(ai_system=system)
    control = services.create_implementation(
        user=officer.user,
        code="CTL-COV",
        name="Coverage",
        description="Gateway.",
        owner=officer.user,
        ai_systems=[system],
        use_cases=[use_case],
        reason="Scope",
    )
    assert list(control.ai_systems.all()) == [system] and list(control.use_cases.all()) == [use_case]

    services.update_implementation(implementation=control, user=officer.user, use_cases=[], reason="Narrowed")

    assert not control.use_cases.exists()
    assert control.history.first().history_change_reason == "Narrowed"
    response = officer.api().get(reverse("api:control-implementation-detail", kwargs={"pk": control.pk}))
    assert response.json()["ai_systems"] == [system.pk] and response.json()["use_cases"] == []
    page = officer.client().get(reverse("controls:implementation-detail", kwargs={"pk": control.pk}))
    assert system.name in page.content.decode()


def test_the_api_sets_use_cases_by_key(officer, db) -> None:
    from tests.registry.factories import UseCaseFactory

    use_case = UseCaseFactory()
    control = ControlImplementationFactory(owner=officer.user)
    response = officer.api().patch(
        reverse("api:control-implementation-detail", kwargs={"pk": control.pk}),
        {"use_cases": [use_case.key], "reason": "scope"},
        format="json",
    )
    assert response.status_code == 200
    assert list(control.use_cases.values_list("key", flat=True)) == [use_case.key]
