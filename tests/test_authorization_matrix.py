"""The authorization matrix: every URL pattern and API route, for every persona, allowed or denied.

Each row names a route, the method, how to build its arguments, and the status each persona must get. A route
of the project without a row fails `test_every_route_has_a_row`, so a new page cannot ship unchecked. Pages are
requested with a logged-in session; API routes with the persona's personal token.

Expected codes: pages answer 200 (or 302 after a successful POST), 403 to a logged-in persona without the
permission, and redirect anonymous or expired users to the login page (302). The API answers 401 without valid
credentials (an expired auditor's token is refused) and 403 without the permission.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aims.core.models import Decision
from tests.conftest import PERSONAS, Persona
from tests.factories import OrganisationProfileFactory
from tests.matrix import Row, all_rows, pending_decision

ROWS = all_rows()


def _route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace
                walk(pattern.url_patterns, f"{namespace}:{ns}" if namespace and ns else ns or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_route_has_a_row() -> None:
    # The admin is covered by its own tests below; static and media are not routes of ours.
    routes = {name for name in _route_names() if not name.startswith("admin:")}
    missing = routes - {row.route for row in ROWS}
    assert not missing, f"routes without a row in the authorization matrix: {sorted(missing)}"
    stale = {row.route for row in ROWS} - routes
    assert not stale, f"rows for routes that no longer exist: {sorted(stale)}"


@pytest.fixture
def personas(
    officer, officer2, owner, committee, auditor, expired_auditor, outsider, anonymous, ingestion
) -> dict[str, Persona]:
    OrganisationProfileFactory()
    people = [officer, officer2, owner, committee, auditor, expired_auditor, outsider, anonymous, ingestion]
    return {p.name: p for p in people}


@pytest.mark.parametrize("persona_name", PERSONAS)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method}:{r.route}")
def test_authorization_matrix(row: Row, persona_name: str, personas: dict[str, Persona]) -> None:
    persona = personas[persona_name]
    url = reverse(row.route, kwargs=row.kwargs(personas) if row.kwargs else None)
    client = persona.api() if row.api else persona.client()
    kwargs: dict[str, Any] = {}
    if row.data is not None:
        kwargs["data"] = row.data
        if row.api:
            kwargs["format"] = "json"
    response = getattr(client, row.method)(url, **kwargs)
    expected = row.expected(persona_name)
    assert response.status_code == expected, (
        f"{persona_name} {row.method.upper()} {url}: expected {expected}, got {response.status_code}"
    )
    if expected == 302 and persona_name in {"anonymous", "expired_auditor"} and row.route != "accounts:logout":
        assert response["Location"].startswith(reverse("accounts:login"))
    if row.api and expected >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_a_committee_decision_in_the_matrix_leaves_a_decided_row(personas: dict[str, Persona]) -> None:
    pk = pending_decision(personas)["pk"]
    response = (
        personas["committee"]
        .api()
        .post(reverse("api:decision-approve", kwargs={"pk": pk}), {"rationale": "fine"}, format="json")
    )
    assert response.status_code == 200
    decision = Decision.objects.get(pk=pk)
    assert decision.status == "approved"
    assert decision.decided_by == personas["committee"].user


def _admin_routes_without_arguments() -> list[str]:
    out = []
    for name in sorted(_route_names()):
        if not name.startswith("admin:") or name in {"admin:logout", "admin:login"}:
            continue
        try:
            out.append(reverse(name))
        except Exception:  # noqa: S112  routes that need an object id are covered by the read-only tests
            continue
    return out


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_the_admin_is_closed_to_every_persona(persona_name: str, personas: dict[str, Persona]) -> None:
    client = personas[persona_name].client()
    for url in _admin_routes_without_arguments():
        response = client.get(url)
        assert response.status_code == 302, f"{persona_name} GET {url}: {response.status_code}"
        assert "/admin/login/" in response["Location"]


def test_the_admin_is_read_only_for_governed_records(administrator: Persona, profile) -> None:
    client = administrator.client()
    assert client.get(reverse("admin:governance_organisationprofile_changelist")).status_code == 200
    assert client.get(reverse("admin:governance_organisationprofile_add")).status_code == 403
    change = client.post(
        reverse("admin:governance_organisationprofile_change", args=[profile.pk]), {"name": "Renamed"}
    )
    assert change.status_code == 403
    profile.refresh_from_db()
    assert profile.name != "Renamed"
    delete = client.post(reverse("admin:governance_organisationprofile_delete", args=[profile.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert client.get(reverse("admin:core_decision_add")).status_code == 403
