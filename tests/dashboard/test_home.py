"""The dashboard is the home page of officers and committee members; others keep the plain home page."""

from __future__ import annotations

from django.urls import reverse


def test_a_committee_member_lands_on_the_dashboard_panels(committee) -> None:
    page = committee.client().get(reverse("home"))
    assert page.status_code == 200
    assert b'id="dashboard-heading"' in page.content
    assert reverse("dashboard:index").encode() in page.content


def test_an_outsider_home_page_has_no_dashboard(outsider) -> None:
    page = outsider.client().get(reverse("home"))
    assert page.status_code == 200
    assert b'id="dashboard-heading"' not in page.content


def test_an_owner_reaches_the_story_page_of_their_system_from_the_register(owner) -> None:
    from tests.registry.factories import AISystemFactory

    system = AISystemFactory(owner=owner.user)
    page = owner.client().get(reverse("registry:system-detail", args=[system.pk]))
    assert reverse("dashboard:system", args=[system.pk]).encode() in page.content
