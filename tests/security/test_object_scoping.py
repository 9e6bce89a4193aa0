"""Object-level scoping: what a system owner may change is theirs alone; what they may not read does not exist for
them. Auditors read and never write; an expired auditor is refused everywhere.

The project's rule, kept the same on pages and in the API (and by the dashboard's system page):
- Records every role holder reads (the register, risks, impact assessments, governance records): an owner
  changes only their own. Another owner's record is readable, so a write to it answers 403 (a 404 would hide
  nothing the register does not already show) and changes nothing.
- Records scoped on reading (report runs): another person's is 404 on every route and is missing from lists and
  counts.

Each table has one row per model; a new owned model is one more row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.urls import reverse

from registry.models import AISystem
from risks.models import ImpactAssessment, Risk, TreatmentAction
from tests.conftest import Persona
from tests.governance.factories import CorrectiveActionFactory, ReviewActionFactory
from tests.registry.factories import AISystemFactory, UseCaseFactory
from tests.reports.factories import done_run
from tests.risks.factories import ImpactAssessmentFactory, RiskFactory, TreatmentActionFactory

Url = Callable[[models.Model], str]


def _url(name: str, attr: str = "pk", kwarg: str = "pk") -> Url:
    return lambda obj: reverse(name, kwargs={kwarg: getattr(obj, attr)})


@dataclass(frozen=True)
class Owned:
    """A record an owner changes only when it is theirs."""

    name: str
    make: Callable[[Any], models.Model]  # given the owning user
    detail: Url  # a page every role holder reads
    api_detail: Url
    edit: Url | None  # the edit page (GET), if the record has one
    api_write: tuple[str, Url, dict[str, Any]]  # method, route, body
    field: str  # a field the API write changes
    page_write: tuple[Url, dict[str, Any]] | None = None  # a POST-only page operation, for records without a form

    def __str__(self) -> str:
        return self.name

    def value(self, obj: models.Model) -> Any:
        return getattr(type(obj)._default_manager.get(pk=obj.pk), self.field)


def _system_of(user: Any) -> AISystem:
    return AISystemFactory(owner=user)


OWNED: list[Owned] = [
    Owned(
        "ai-system",
        make=_system_of,
        detail=_url("registry:system-detail"),
        api_detail=_url("api:registry-ai-system-detail"),
        edit=_url("registry:system-edit"),
        api_write=("patch", _url("api:registry-ai-system-detail"), {"business_unit": "Changed unit"}),
        field="business_unit",
    ),
    Owned(
        "use-case",
        make=lambda user: UseCaseFactory(ai_system=_system_of(user)),
        detail=_url("registry:usecase-detail", "key", "key"),
        api_detail=_url("api:registry-use-case-detail", "key", "key"),
        edit=_url("registry:usecase-edit", "key", "key"),
        api_write=("patch", _url("api:registry-use-case-detail", "key", "key"), {"fail_mode": "open"}),
        field="fail_mode",
    ),
    Owned(
        "risk",
        make=lambda user: RiskFactory(ai_system=_system_of(user)),
        detail=_url("risks:risk-detail"),
        api_detail=_url("api:risk-detail"),
        edit=_url("risks:risk-edit"),
        api_write=("patch", _url("api:risk-detail"), {"title": "Changed title"}),
        field="title",
    ),
    Owned(
        "impact-assessment",
        make=lambda user: ImpactAssessmentFactory(ai_system=_system_of(user)),
        detail=_url("risks:ia-detail"),
        api_detail=_url("api:impact-assessment-detail"),
        edit=_url("risks:ia-edit"),
        api_write=("patch", _url("api:impact-assessment-detail"), {"summary": "Changed summary"}),
        field="summary",
    ),
    Owned(
        "treatment-action",
        make=lambda user: TreatmentActionFactory(risk=RiskFactory(ai_system=_system_of(user)), owner=user),
        detail=lambda action: reverse("risks:risk-detail", kwargs={"pk": action.risk_id}),
        api_detail=lambda action: reverse("api:risk-detail", kwargs={"pk": action.risk_id}),
        edit=None,
        api_write=("post", _url("api:risk-action-complete"), {}),
        field="status",
        page_write=(_url("risks:action-complete"), {}),
    ),
    Owned(
        "corrective-action",
        make=lambda user: CorrectiveActionFactory(owner=user),
        detail=_url("governance:action-detail"),
        api_detail=_url("api:aims-corrective-action-detail"),
        edit=_url("governance:action-edit"),
        api_write=("patch", _url("api:aims-corrective-action-detail"), {"status": "done"}),
        field="status",
    ),
    Owned(
        "review-action",
        make=lambda user: ReviewActionFactory(owner=user),
        detail=_url("governance:review-action-detail"),
        api_detail=_url("api:aims-review-action-detail"),
        edit=_url("governance:review-action-edit"),
        api_write=("patch", _url("api:aims-review-action-detail"), {"status": "done"}),
        field="status",
    ),
]

# Writes under an owned record, refused on another owner's record the same way.
SUB_WRITES: list[tuple[str, Callable[[Any], models.Model], Url]] = [
    ("classify-system", _system_of, _url("registry:system-classify")),
    ("add-use-case", _system_of, _url("registry:usecase-create")),
    ("add-treatment-action", lambda user: RiskFactory(ai_system=_system_of(user)), _url("risks:action-create")),
    ("add-impact", lambda user: ImpactAssessmentFactory(ai_system=_system_of(user)), _url("risks:impact-create")),
    ("start-impact-assessment", _system_of, lambda system: reverse("risks:ia-create", args=[system.pk])),
]


@pytest.fixture(params=OWNED, ids=str)
def row(request: pytest.FixtureRequest) -> Owned:
    return request.param


def _write(persona: Persona, row: Owned, obj: models.Model) -> Any:
    method, url, body = row.api_write
    return getattr(persona.api(), method)(url(obj), body, format="json")


def test_an_owner_reads_and_changes_their_own_record(row: Owned, people) -> None:
    owner = people["owner"]
    obj = row.make(owner.user)
    before = row.value(obj)
    assert owner.client().get(row.detail(obj)).status_code == 200
    assert owner.api().get(row.api_detail(obj)).status_code == 200
    if row.edit is not None:
        assert owner.client().get(row.edit(obj)).status_code == 200
    response = _write(owner, row, obj)
    assert response.status_code in (200, 201), response.content
    assert row.value(obj) != before


def test_another_owner_reads_but_every_write_is_refused_with_403_and_changes_nothing(row: Owned, people) -> None:
    obj = row.make(people["owner"].user)
    before = row.value(obj)
    intruder = people["owner2"]
    client = intruder.client()
    detail = client.get(row.detail(obj))
    assert detail.status_code == 200
    if row.edit is not None:
        assert row.edit(obj) not in detail.content.decode(), "the page offers an edit it would refuse"
        assert client.get(row.edit(obj)).status_code == 403
        assert client.post(row.edit(obj), {"reason": "mine now"}).status_code == 403
    if row.page_write is not None:
        url, data = row.page_write
        assert client.post(url(obj), data).status_code == 403
    response = _write(intruder, row, obj)
    assert response.status_code == 403, response.content
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert row.value(obj) == before


@pytest.mark.parametrize("sub", SUB_WRITES, ids=lambda s: s[0])
def test_another_owner_cannot_write_under_a_record_that_is_not_theirs(sub, people) -> None:
    _name, make, url = sub
    obj = make(people["owner"].user)
    counts = (Risk.objects.count(), ImpactAssessment.objects.count(), TreatmentAction.objects.count())
    client = people["owner2"].client()
    assert client.get(url(obj)).status_code in (403, 405)
    assert client.post(url(obj), {"reason": "mine now"}).status_code == 403
    assert (Risk.objects.count(), ImpactAssessment.objects.count(), TreatmentAction.objects.count()) == counts
    own = make(people["owner"].user)
    assert people["owner"].client().get(url(own)).status_code in (200, 405)


def test_an_auditor_reads_every_owned_record_and_cannot_write_it(row: Owned, people) -> None:
    obj = row.make(people["owner"].user)
    before = row.value(obj)
    auditor = people["auditor"]
    assert auditor.client().get(row.detail(obj)).status_code == 200
    assert auditor.api().get(row.api_detail(obj)).status_code == 200
    if row.edit is not None:
        assert auditor.client().get(row.edit(obj)).status_code == 403
        assert auditor.client().post(row.edit(obj), {"reason": "audit"}).status_code == 403
    if row.page_write is not None:
        url, data = row.page_write
        assert auditor.client().post(url(obj), data).status_code == 403
    assert _write(auditor, row, obj).status_code == 403
    assert row.value(obj) == before


def test_an_expired_auditor_is_refused_on_every_route_of_an_owned_record(row: Owned, people) -> None:
    obj = row.make(people["owner"].user)
    before = row.value(obj)
    expired = people["expired_auditor"]
    pages = [row.detail(obj), *([row.edit(obj)] if row.edit else [])]
    for url in pages:
        response = expired.client().get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"], url
    assert expired.api().get(row.api_detail(obj)).status_code == 401
    assert _write(expired, row, obj).status_code == 401
    assert row.value(obj) == before


def test_the_dashboard_page_of_a_system_is_its_owners_alone(people) -> None:
    # The register shows every system to every role holder, so another owner's is refused (403), not hidden.
    own, other = _system_of(people["owner"].user), _system_of(people["owner2"].user)
    client = people["owner"].client()
    assert client.get(reverse("dashboard:system", kwargs={"pk": own.pk})).status_code == 200
    assert client.get(reverse("dashboard:system", kwargs={"pk": other.pk})).status_code == 403
    assert client.get(reverse("dashboard:system", kwargs={"pk": other.pk + 1000})).status_code == 404


# --- records scoped on reading: another person's does not exist -------------------------------------------------


@dataclass(frozen=True)
class Private:
    """A record only its own person (and readers of all) may see."""

    name: str
    make: Callable[[Any], models.Model]
    pages: tuple[Url, ...]
    api_routes: tuple[Url, ...]
    list_page: str
    list_api: str
    label: Callable[[models.Model], str]

    def __str__(self) -> str:
        return self.name


PRIVATE: list[Private] = [
    Private(
        "report-run",
        make=done_run,
        pages=(_url("reports:detail"), _url("reports:download")),
        api_routes=(_url("api:report-run-detail"), _url("api:report-run-download")),
        list_page="reports:index",
        list_api="api:report-run-list",
        label=lambda run: run.download_name,
    ),
]


@pytest.fixture(params=PRIVATE, ids=str)
def private(request: pytest.FixtureRequest) -> Private:
    return request.param


def _api_ids(persona: Persona, name: str) -> tuple[int, list[Any]]:
    body = persona.api().get(reverse(name)).json()
    return body["count"], [item["id"] for item in body["results"]]


def test_a_person_sees_their_own_private_record_in_lists_counts_and_details(private: Private, people) -> None:
    owner = people["owner"]
    obj = private.make(owner.user)
    for url in private.pages:
        assert owner.client().get(url(obj)).status_code == 200
    for url in private.api_routes:
        assert owner.api().get(url(obj)).status_code == 200
    assert private.label(obj) in owner.client().get(reverse(private.list_page)).content.decode()
    assert _api_ids(owner, private.list_api) == (1, [obj.pk])


def test_another_persons_private_record_is_not_found_anywhere(private: Private, people) -> None:
    obj = private.make(people["owner"].user)
    intruder = people["owner2"]
    for url in private.pages:
        assert intruder.client().get(url(obj)).status_code == 404, url(obj)
    for url in private.api_routes:
        response = intruder.api().get(url(obj))
        assert response.status_code == 404, url(obj)
        assert response.json()["error"]["code"] == "not_found"
    assert private.label(obj) not in intruder.client().get(reverse(private.list_page)).content.decode()
    assert _api_ids(intruder, private.list_api) == (0, [])
    # The same answer as for a record that does not exist at all: nothing tells the two apart.
    missing = type(obj)(pk=obj.pk + 1000)
    for url in private.api_routes:
        assert intruder.api().get(url(missing)).status_code == 404


def test_auditors_read_private_records_and_expired_auditors_do_not(private: Private, people) -> None:
    obj = private.make(people["owner"].user)
    assert people["auditor"].api().get(private.api_routes[0](obj)).status_code == 200
    assert obj.pk in _api_ids(people["auditor"], private.list_api)[1]
    assert people["expired_auditor"].api().get(private.api_routes[0](obj)).status_code == 401
    assert people["expired_auditor"].client().get(private.pages[0](obj)).status_code == 302
