"""Context and scope (4.1 to 4.3): the scope statement lists the AI systems in and out of scope."""

from __future__ import annotations

from django.urls import reverse

from aims.governance.models import AimsScope
from tests.registry.factories import AISystemFactory


def test_the_officer_writes_the_scope_with_systems_in_and_out_and_it_is_kept_in_history(officer, owner) -> None:
    inside, outside = AISystemFactory(name="CreditLens"), AISystemFactory(name="Lab prototype")
    response = officer.api().patch(
        reverse("api:aims-scope"),
        {
            "statement": "All AI in retail lending.",
            "systems_in_scope": [inside.pk],
            "systems_out_of_scope": [outside.pk],
            "exclusions_justification": "Prototypes use no customer data.",
            "reason": "First scope",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    scope = AimsScope.objects.get()
    assert list(scope.systems_in_scope.all()) == [inside]
    assert scope.history.earliest().history_change_reason == "First scope"
    page = owner.client().get(reverse("governance:scope"))
    assert "CreditLens" in page.content.decode() and "Lab prototype" in page.content.decode()
    assert owner.client().get(reverse("governance:scope-history")).status_code == 200
    assert owner.api().patch(reverse("api:aims-scope"), {"statement": "x"}, format="json").status_code == 403


def test_issues_and_interested_parties_are_recorded_in_the_ui(officer) -> None:
    response = officer.client().post(
        reverse("governance:issue-create"),
        {"kind": "external", "title": "New AI law", "description": "", "effect": "More duties", "active": "on"},
    )
    assert response.status_code == 302
    response = officer.client().post(
        reverse("governance:party-create"),
        {"name": "Regulator", "requirements": "Report serious incidents.", "addressed_by_aims": "on"},
    )
    assert response.status_code == 302
    assert "Regulator" in officer.client().get(reverse("governance:party-list")).content.decode()
