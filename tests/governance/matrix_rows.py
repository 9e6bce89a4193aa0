"""Authorization matrix rows of the management system (tests/matrix.py explains the columns).

Every role holder reads the records; officers write them; the committee decides approvals through the core
decision routes; auditors read; outsiders get nothing, except what every logged-in person may do: raise a
concern and see their own work. Rows for the generated record routes are generated from the same table
(aims/governance/resources.py), so a new record cannot ship without its rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aims.governance.resources import CHILDREN, RESOURCES, TOP_LEVEL, Resource
from tests.conftest import Persona
from tests.governance.factories import (
    FACTORIES,
    AuditFindingFactory,
    ConcernFactory,
    DocumentVersionFactory,
    KpiFactory,
    ManagementReviewFactory,
    NonconformityFactory,
)
from tests.matrix import ROLE_HOLDERS, Row, allowed_for

READERS = allowed_for(200, ROLE_HOLDERS)
CONCERN_READERS = allowed_for(200, ["officer", "committee", "auditor"])
LOGGED_IN = allowed_for(200, [*ROLE_HOLDERS, "outsider"])


def one(slug: str) -> Callable[[dict[str, Persona]], dict[str, Any]]:
    def make(personas: dict[str, Persona]) -> dict[str, Any]:
        return {"pk": FACTORIES[slug]().pk}

    return make


def parent_of(resource: Resource) -> str:
    parent_model = resource.model._meta.get_field(resource.parent).related_model  # type: ignore[arg-type]
    return next(r.slug for r in RESOURCES if r.model is parent_model)


def draft_version(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": DocumentVersionFactory().pk}


def minor_finding(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": AuditFindingFactory(grade="minor").pk}


def closable(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": NonconformityFactory(root_cause="Known cause").pk}


def review_with_decisions(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": ManagementReviewFactory(decisions="Keep going.").pk}


def a_kpi(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": KpiFactory().pk}


def a_concern(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": ConcernFactory().pk}


# Valid bodies for the API's create routes of top-level records (users by username, so they are static).
API_CREATE: dict[str, dict[str, Any]] = {
    "issue": {"kind": "internal", "title": "Budget cut"},
    "party": {"name": "Works council", "requirements": "Consultation."},
    "document": {"title": "Data policy", "kind": "policy", "owner": "owner", "next_review_on": "2027-01-31"},
    "responsibility": {"activity": "Audit", "person": "owner", "responsibility": "R"},
    "training": {"person": "owner", "course": "AI literacy", "completed_on": "2026-10-01"},
    "objective": {"title": "Fewer incidents", "owner": "owner", "target": "-50%", "due_on": "2027-12-31"},
    "incident": {
        "title": "Outage",
        "description": "Down.",
        "severity": "low",
        "aware_at": "2026-11-01T10:00:00Z",
        "owner": "officer",
    },
    "programme": {"title": "2027 programme", "period_start": "2027-01-01", "period_end": "2027-12-31"},
    "audit": None,  # needs a programme id: authorization is shown by the officer's 400 on an empty body
    "nonconformity": {
        "title": "Gap",
        "description": "A gap.",
        "source": "other",
        "owner": "owner",
        "raised_on": "2026-11-01",
    },
    "review": {"title": "Review 2027", "held_on": "2027-01-15"},
}

OWNED_ACTIONS = {"action", "review-action"}


def owners_action(slug: str) -> Callable[[dict[str, Persona]], dict[str, Any]]:
    def make(personas: dict[str, Persona]) -> dict[str, Any]:
        return {"pk": FACTORIES[slug](owner=personas["owner"].user).pk}

    return make


def version_with_file(personas: dict[str, Persona]) -> dict[str, Any]:
    # The file itself is not written (the matrix must not fill the media directory): readers get a 404 for the
    # missing file, which shows they passed authorization; test_documents downloads a real one.
    return {"pk": DocumentVersionFactory(attachment="governance/documents/absent.txt").pk}


ROWS: list[Row] = [
    Row("governance:index", allowed=READERS),
    Row("governance:version-attachment", kwargs=version_with_file, allowed=allowed_for(404, ROLE_HOLDERS)),
    Row("governance:my-work", allowed=LOGGED_IN),
    Row("governance:scope", allowed=READERS),
    Row("governance:scope-edit", allowed={"officer": 200}),
    # No scope yet in the matrix's database: the history is not found, for those who may read it.
    Row("governance:scope-history", allowed=allowed_for(404, ROLE_HOLDERS)),
    Row(
        "governance:version-request-approval",
        method="post",
        kwargs=draft_version,
        data={"note": "please"},
        allowed={"officer": 302},
    ),
    Row("governance:document-reviewed", method="post", kwargs=one("document"), allowed={"officer": 302}),
    Row(
        "governance:kpi-record",
        method="post",
        kwargs=a_kpi,
        data={"value": "5", "measured_on": "2026-11-01"},
        allowed={"officer": 302},
    ),
    Row("governance:finding-raise", method="post", kwargs=minor_finding, data={}, allowed={"officer": 302}),
    Row(
        "governance:nonconformity-close",
        method="post",
        kwargs=closable,
        data={"effectiveness_review": "Effective."},
        allowed={"officer": 302},
    ),
    Row(
        "governance:review-request-closure",
        method="post",
        kwargs=review_with_decisions,
        data={"note": "close"},
        allowed={"officer": 302},
    ),
    Row("governance:concern-list", allowed=CONCERN_READERS),
    Row("governance:concern-raise", allowed=LOGGED_IN),
    Row("governance:concern-detail", kwargs=a_concern, allowed=CONCERN_READERS),
    Row(
        "governance:concern-triage",
        method="post",
        kwargs=a_concern,
        data={"status": "triaged"},
        allowed={"officer": 302},
    ),
    Row("governance:concern-channel", method="post", data={}, allowed={"officer": 302}),
    # The public form is off by default: it does not exist for anyone, logged in or not.
    Row("governance:concern-public", allowed=allowed_for(404)),
    # --- API operations ---------------------------------------------------------------------------------------
    Row("api:aims-scope", api=True, allowed=allowed_for(404, ROLE_HOLDERS)),
    Row(
        "api:aims-scope",
        api=True,
        method="patch",
        data={"statement": "All AI in the EU."},
        allowed={"officer": 200},
    ),
    Row(
        "api:aims-document-version-request-approval",
        api=True,
        method="post",
        kwargs=draft_version,
        data={"note": "please"},
        allowed={"officer": 201},
    ),
    Row("api:aims-kpi-measurements", api=True, kwargs=a_kpi, allowed=READERS),
    Row(
        "api:aims-kpi-measurements",
        api=True,
        method="post",
        kwargs=a_kpi,
        data={"value": "5", "measured_on": "2026-11-01"},
        allowed={"officer": 201},
    ),
    Row(
        "api:aims-audit-finding-raise",
        api=True,
        method="post",
        kwargs=minor_finding,
        data={"owner": "owner"},
        allowed={"officer": 201},
    ),
    Row(
        "api:aims-nonconformity-close",
        api=True,
        method="post",
        kwargs=closable,
        data={"effectiveness_review": "Effective."},
        allowed={"officer": 200},
    ),
    Row(
        "api:aims-management-review-request-closure",
        api=True,
        method="post",
        kwargs=review_with_decisions,
        data={"note": "close"},
        allowed={"officer": 201},
    ),
    Row("api:aims-concern-list", api=True, allowed=CONCERN_READERS),
    Row(
        "api:aims-concern-list",
        api=True,
        method="post",
        data={"summary": "Bias", "details": "Looks biased."},
        allowed=allowed_for(201, [*ROLE_HOLDERS, "outsider"]),
    ),
    Row("api:aims-concern-detail", api=True, kwargs=a_concern, allowed=CONCERN_READERS),
    Row(
        "api:aims-concern-triage",
        api=True,
        method="post",
        kwargs=a_concern,
        data={"status": "triaged"},
        allowed={"officer": 200},
    ),
]

for _r in TOP_LEVEL:
    ROWS += [
        Row(f"governance:{_r.slug}-list", allowed=READERS),
        Row(f"governance:{_r.slug}-create", allowed={"officer": 200}),
        Row(f"api:{_r.api_basename}-list", api=True, allowed=READERS),
    ]
    body = API_CREATE.get(_r.slug)
    ROWS.append(
        Row(
            f"api:{_r.api_basename}-list",
            api=True,
            method="post",
            data=body or {},
            allowed={"officer": 201 if body else 400},
        )
    )
for _r in CHILDREN:
    ROWS.append(Row(f"governance:{_r.slug}-create", kwargs=one(parent_of(_r)), allowed={"officer": 200}))
    ROWS += [
        Row(f"api:{_r.api_basename}-list", api=True, allowed=READERS),
        # An empty body: the officer passes authorization and fails validation; everyone else is refused.
        Row(f"api:{_r.api_basename}-list", api=True, method="post", data={}, allowed={"officer": 400}),
    ]
for _r in RESOURCES:
    ROWS += [
        Row(f"governance:{_r.slug}-detail", kwargs=one(_r.slug), allowed=READERS),
        Row(f"governance:{_r.slug}-history", kwargs=one(_r.slug), allowed=READERS),
        Row(
            f"governance:{_r.slug}-edit",
            kwargs=one(_r.slug),
            # An owner may change actions, but only their own: someone else's (which they read) is refused.
            allowed={"officer": 200},
        ),
        Row(f"api:{_r.api_basename}-detail", api=True, kwargs=one(_r.slug), allowed=READERS),
        Row(f"api:{_r.api_basename}-history", api=True, kwargs=one(_r.slug), allowed=READERS),
        Row(
            f"api:{_r.api_basename}-detail",
            api=True,
            method="patch",
            kwargs=one(_r.slug),
            data={},
            allowed={"officer": 200},
        ),
    ]

for _slug in OWNED_ACTIONS:
    _basename = next(r.api_basename for r in RESOURCES if r.slug == _slug)
    ROWS += [
        Row(f"governance:{_slug}-edit", kwargs=owners_action(_slug), allowed={"officer": 200, "owner": 200}),
        Row(
            f"api:{_basename}-detail",
            api=True,
            method="patch",
            kwargs=owners_action(_slug),
            data={"status": "done"},
            allowed={"officer": 200, "owner": 200},
        ),
    ]
