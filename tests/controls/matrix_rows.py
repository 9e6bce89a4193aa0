"""Authorization matrix rows of the control catalog: every role reads it; outsiders and the expired get nothing."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.controls.factories import (
    ControlImplementationFactory,
    CrosswalkLinkFactory,
    RequirementFactory,
    SoAEntryFactory,
    frozen_soa,
    stored_artifact_file,
)
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


# --- Statement of Applicability and manual evidence -------------------------------------------------------------


def an_entry(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": SoAEntryFactory().pk}


def a_justified_draft(personas: dict[str, Persona]) -> dict[str, Any]:
    SoAEntryFactory()
    return {}


def a_pending_soa(personas: dict[str, Persona]) -> dict[str, Any]:
    # Requested by the second officer, so the committee persona may decide it (four eyes).
    frozen_soa(requested_by=personas["officer2"].user)
    return {}


def a_version(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": frozen_soa(requested_by=personas["officer2"].user, approved_by=personas["committee"].user).pk}


def an_approved_soa(personas: dict[str, Persona]) -> dict[str, Any]:
    a_version(personas)
    return {}


def an_artifact(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": stored_artifact_file(personas["officer"].user).artifact_id}


def an_artifact_file(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": stored_artifact_file(personas["officer"].user).pk}


SOA_READERS = READERS
ROWS += [
    Row("controls:soa", allowed=SOA_READERS),
    Row("controls:soa-entry-edit", kwargs=an_entry, allowed={"officer": 200}),
    Row("controls:soa-request", method="post", kwargs=a_justified_draft, data={"note": "m"}, allowed={"officer": 302}),
    Row(
        "controls:soa-decide",
        method="post",
        kwargs=a_pending_soa,
        data={"decision": "approve"},
        allowed={"committee": 302},
    ),
    Row("controls:soa-export", allowed=SOA_READERS),
    Row("controls:soa-import", allowed={"officer": 200}),
    Row("controls:soa-history", allowed=SOA_READERS),
    Row("controls:soa-version-list", allowed=SOA_READERS),
    Row("controls:soa-version-detail", kwargs=a_version, allowed=SOA_READERS),
    Row("controls:soa-version-export", kwargs=a_version, allowed=SOA_READERS),
    Row("controls:soa-as-of", allowed=SOA_READERS),
    Row("controls:soa-diff", allowed=SOA_READERS),
    Row("controls:artifact-list", allowed=READERS),
    Row("controls:artifact-create", allowed={"officer": 200}),
    Row("controls:artifact-detail", kwargs=an_artifact, allowed=READERS),
    Row("controls:artifact-edit", kwargs=an_artifact, allowed={"officer": 200}),
    Row("controls:artifact-add-files", kwargs=an_artifact, allowed={"officer": 302}),
    Row("controls:artifact-file-download", kwargs=an_artifact_file, allowed=READERS),
    Row("api:soa-entry-list", api=True, allowed=SOA_READERS),
    Row("api:soa-entry-detail", api=True, kwargs=an_entry, allowed=SOA_READERS),
    Row(
        "api:soa-entry-detail",
        api=True,
        method="patch",
        kwargs=an_entry,
        data={"applies": False, "justification": "Not used here."},
        allowed={"officer": 200},
    ),
    Row("api:soa-version-list", api=True, allowed=SOA_READERS),
    Row("api:soa-version-detail", api=True, kwargs=a_version, allowed=SOA_READERS),
    Row("api:soa-request", api=True, method="post", kwargs=a_justified_draft, data={}, allowed={"officer": 201}),
    Row("api:soa-approve", api=True, method="post", kwargs=a_pending_soa, data={}, allowed={"committee": 200}),
    Row(
        "api:soa-reject",
        api=True,
        method="post",
        kwargs=a_pending_soa,
        data={"rationale": "Incomplete."},
        allowed={"committee": 200},
    ),
    Row(
        "api:soa-diff",
        api=True,
        kwargs=an_approved_soa,
        data={"old": 2**31 - 1},
        allowed=allowed_for(404, ROLE_HOLDERS),
    ),
    Row("api:soa-as-of", api=True, kwargs=an_approved_soa, data={"date": "2999-01-01"}, allowed=SOA_READERS),
    Row("api:evidence-artifact-list", api=True, allowed=READERS),
    Row("api:evidence-artifact-detail", api=True, kwargs=an_artifact, allowed=READERS),
    # An upload needs files (multipart); the matrix posts JSON without any, so an officer (allowed) gets a 400.
    Row("api:evidence-artifact-list", api=True, method="post", data={"title": "x"}, allowed={"officer": 400}),
    Row(
        "api:evidence-artifact-detail",
        api=True,
        method="patch",
        kwargs=an_artifact,
        data={"title": "Renamed", "reason": "matrix"},
        allowed={"officer": 200},
    ),
    Row("api:evidence-artifact-file-download", api=True, kwargs=an_artifact_file, allowed=READERS),
]
