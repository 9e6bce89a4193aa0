"""Authorization matrix rows of the control catalog: every role reads it; outsiders and the expired get nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.controls.factories import ControlImplementationFactory, CrosswalkLinkFactory, RequirementFactory
from tests.matrix import ROLE_HOLDERS, Row, allowed_for

READERS = allowed_for(200, ROLE_HOLDERS)


def a_framework(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"slug": RequirementFactory().framework.slug}


def a_requirement(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": RequirementFactory().pk}


def a_link(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": CrosswalkLinkFactory().pk}


def an_implementation(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": ControlImplementationFactory(owner=personas["owner"].user).pk}


ROWS: list[Row] = [
    Row("controls:index", allowed=READERS),
    Row("controls:framework-detail", kwargs=a_framework, allowed=READERS),
    Row("controls:requirement-list", allowed=READERS),
    Row("controls:requirement-detail", kwargs=a_requirement, allowed=READERS),
    Row("controls:crosswalk-list", allowed=READERS),
    Row("controls:crosswalk-export", allowed=READERS),
    Row("api:framework-list", api=True, allowed=READERS),
    Row("api:framework-detail", api=True, kwargs=a_framework, allowed=READERS),
    Row("api:requirement-list", api=True, allowed=READERS),
    Row("api:requirement-detail", api=True, kwargs=a_requirement, allowed=READERS),
    Row("api:crosswalk-link-list", api=True, allowed=READERS),
    Row("api:crosswalk-link-detail", api=True, kwargs=a_link, allowed=READERS),
    # The catalog is written only by the loader: no role holds an add permission, so a write is refused.
    Row("api:requirement-list", api=True, method="post", data={"ref": "X.1"}),
    Row("controls:implementation-list", allowed=READERS),
    Row("controls:implementation-detail", kwargs=an_implementation, allowed=READERS),
    Row("controls:implementation-create", allowed={"officer": 200}),
    Row("controls:implementation-edit", kwargs=an_implementation, allowed={"officer": 200}),
    Row("api:control-implementation-list", api=True, allowed=READERS),
    Row("api:control-implementation-detail", api=True, kwargs=an_implementation, allowed=READERS),
    Row(
        "api:control-implementation-detail",
        api=True,
        method="patch",
        kwargs=an_implementation,
        data={"status": "implementing", "reason": "matrix"},
        allowed={"officer": 200},
    ),
]
