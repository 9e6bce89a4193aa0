"""The Statement of Applicability: a row per Annex A control and per added control, justified either way; the
draft is frozen and approved with four eyes into numbered versions; diffs, the version in force on a date, the
draft's own history, and the CSV export and all-or-nothing import."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, FourEyesViolation, NotAllowed, ServiceError
from aims.core.models import Decision
from controls import csv_io, selectors, services
from controls.models import SoAEntry, SoAVersion
from tests.controls.factories import ControlImplementationFactory, frozen_soa


def _justify_all(officer) -> None:
    for entry in SoAEntry.objects.all():
        services.update_soa_entry(entry=entry, user=officer.user, justification=f"Needed for {entry.ref}.")


def _approved(officer, committee) -> SoAVersion:
    version = services.request_soa_approval(user=officer.user, note="Please approve")
    return services.decide_soa(decision=version.decision, user=committee.user, approve=True)


def test_the_draft_has_a_row_per_annex_a_control_and_per_added_control(officer, catalog) -> None:
    assert SoAEntry.objects.filter(requirement__isnull=False).count() == 38

    own = services.create_implementation(
        user=officer.user, code="CTL-OWN", name="Prompt review", description="Monthly.", owner=officer.user
    )

    entry = SoAEntry.objects.get(added_control=own)
    assert entry.is_added and entry.ref == "CTL-OWN"
    assert SoAEntry.objects.count() == 39


def test_a_row_needs_a_justification_whether_it_applies_or_not(officer, catalog) -> None:
    entry = SoAEntry.objects.get(requirement__ref="A.10.4")
    with pytest.raises(ServiceError, match="Justify"):
        services.update_soa_entry(entry=entry, user=officer.user, applies=False, justification="  ")

    services.update_soa_entry(entry=entry, user=officer.user, applies=False, justification="No customers.")

    entry.refresh_from_db()
    assert (entry.applies, entry.justification) == (False, "No customers.")


def test_only_officers_edit_the_draft(auditor, committee, catalog) -> None:
    entry = SoAEntry.objects.first()
    for persona in (auditor, committee):
        with pytest.raises(NotAllowed):
            services.update_soa_entry(entry=entry, user=persona.user, justification="x")


def test_approval_is_refused_while_a_row_is_unjustified(officer, catalog) -> None:
    with pytest.raises(ServiceError, match="38 rows have no justification"):
        services.request_soa_approval(user=officer.user)
    assert not SoAVersion.objects.exists()


def test_four_eyes_the_requester_cannot_approve_and_a_committee_member_can(officer, committee, catalog) -> None:
    _justify_all(officer)
    version = services.request_soa_approval(user=officer.user, note="First SoA")
    assert version.number is None
    assert version.decision.kind == DecisionKind.SOA_VERSION
    assert version.decision.subject_version == version.snapshot_sha256
    assert len(version.rows) == 38

    with pytest.raises((FourEyesViolation, NotAllowed)):
        services.decide_soa(decision=version.decision, user=officer.user, approve=True)
    approved = services.decide_soa(decision=version.decision, user=committee.user, approve=True, rationale="OK")

    assert approved.number == 1
    assert approved.approved_at == approved.decision.decided_at
    assert approved.decision.decided_by == committee.user
    assert approved.signing_key_fingerprint == ""  # filled in by the signing work of a later issue


def test_a_second_request_waits_for_the_first_and_an_unchanged_draft_is_refused(officer, committee, catalog) -> None:
    _justify_all(officer)
    version = services.request_soa_approval(user=officer.user)
    with pytest.raises(Conflict, match="already pending"):
        services.request_soa_approval(user=officer.user)
    services.decide_soa(decision=version.decision, user=committee.user, approve=True)

    with pytest.raises(Conflict, match="same as version 1"):
        services.request_soa_approval(user=officer.user)


def test_a_version_is_immutable_after_the_draft_changes(officer, committee, catalog) -> None:
    _justify_all(officer)
    version = _approved(officer, committee)
    entry = SoAEntry.objects.get(requirement__ref="A.2.2")

    services.update_soa_entry(entry=entry, user=officer.user, justification="Changed later.")

    version.refresh_from_db()
    assert next(r for r in version.rows if r["key"] == "A.2.2")["justification"] == "Needed for A.2.2."
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_a_rejected_proposal_gets_no_number_and_the_next_approval_is_version_1(officer, committee, catalog) -> None:
    _justify_all(officer)
    first = services.request_soa_approval(user=officer.user)
    with pytest.raises(ServiceError):
        services.decide_soa(decision=first.decision, user=committee.user, approve=False)  # a rationale is needed
    rejected = services.decide_soa(decision=first.decision, user=committee.user, approve=False, rationale="No.")
    assert rejected.number is None

    # The draft is unchanged, but nothing is in force yet: asking again is allowed.
    version = services.request_soa_approval(user=officer.user)
    assert services.decide_soa(decision=version.decision, user=committee.user, approve=True).number == 1


def test_a_version_approved_on_the_generic_decisions_page_is_numbered_and_in_force(
    officer, committee, catalog
) -> None:
    _justify_all(officer)
    version = services.request_soa_approval(user=officer.user)

    response = committee.client().post(
        reverse("core:decision-decide", kwargs={"pk": version.decision.pk}), {"decision": "approve", "rationale": ""}
    )

    assert response.status_code in (200, 302)
    assert selectors.version_in_force(committee.user, timezone.localdate()) == version
    assert SoAVersion.objects.get(pk=version.pk).number == 1  # numbered at once, by the decision's own hook


def test_as_of_a_date_gives_the_version_then_in_force(officer, committee, catalog) -> None:
    old = frozen_soa(requested_by=officer.user, approved_by=committee.user)
    new = frozen_soa(requested_by=officer.user, approved_by=committee.user)
    today = timezone.localdate()
    Decision.objects.filter(pk=old.decision_id).update(decided_at=timezone.now() - timedelta(days=30))
    Decision.objects.filter(pk=new.decision_id).update(decided_at=timezone.now() - timedelta(days=5))

    assert selectors.version_in_force(officer.user, today - timedelta(days=40)) is None
    assert selectors.version_in_force(officer.user, today - timedelta(days=10)) == old
    assert selectors.version_in_force(officer.user, today) == new

    page = officer.client().get(reverse("controls:soa-as-of"), {"date": (today - timedelta(days=10)).isoformat()})
    assert page.status_code == 200 and page.context["version"] == old
    api = officer.api().get(reverse("api:soa-as-of"), {"date": (today - timedelta(days=40)).isoformat()})
    assert api.status_code == 404
    assert officer.api().get(reverse("api:soa-as-of"), {"date": "not-a-date"}).status_code == 400


def test_a_pending_proposal_is_never_in_force(officer, catalog) -> None:
    frozen_soa(requested_by=officer.user)
    assert selectors.version_in_force(officer.user, timezone.localdate()) is None


def test_the_diff_shows_rows_added_and_fields_changed(officer, committee, catalog) -> None:
    _justify_all(officer)
    first = _approved(officer, committee)
    entry = SoAEntry.objects.get(requirement__ref="A.10.4")
    services.update_soa_entry(entry=entry, user=officer.user, applies=False, justification="No customers.")
    own = ControlImplementationFactory(owner=officer.user)
    services.sync_soa_entries(user=officer.user)
    services.update_soa_entry(entry=SoAEntry.objects.get(added_control=own), user=officer.user, justification="Own.")
    second = _approved(officer, committee)

    diff = selectors.diff_rows(first.rows, second.rows)

    assert [row["key"] for row in diff.added] == [f"added:{own.code}"]
    assert diff.removed == []
    [change] = diff.changed
    assert change.key == "A.10.4"
    assert ("applies", True, False) in change.fields

    page = officer.client().get(reverse("controls:soa-diff"), {"old": first.pk, "new": second.pk})
    assert page.status_code == 200 and "A.10.4" in page.content.decode()
    api = committee.api().get(reverse("api:soa-diff"), {"old": second.pk})  # the draft is version 2
    assert api.status_code == 200 and api.json()["changed"] == [] and api.json()["new"] is None


def test_the_drafts_own_history_records_who_changed_a_row_and_why(officer, catalog) -> None:
    entry = SoAEntry.objects.get(requirement__ref="A.2.2")
    services.update_soa_entry(entry=entry, user=officer.user, justification="Policy.", reason="Workshop")

    record = entry.history.first()
    assert (record.history_user, record.history_change_reason) == (officer.user, "Workshop")
    page = officer.client().get(reverse("controls:soa-history"))
    assert "Workshop" in page.content.decode()


# --- pages and API, per role -----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "owner", "committee", "auditor"], indirect=True)
def test_every_role_reads_the_soa_with_each_rows_status(persona, catalog) -> None:
    page = persona.client().get(reverse("controls:soa"))
    assert page.status_code == 200
    assert len(page.context["rows"]) == 38
    assert "Not evidenced" in page.content.decode()
    api = persona.api().get(reverse("api:soa-entry-list"), {"page_size": 100})
    assert api.status_code == 200 and api.json()["count"] == 38
    assert {row["control_status"] for row in api.json()["results"]} == {"not_evidenced"}


def test_the_officer_requests_and_the_committee_approves_through_the_pages(officer, committee, catalog) -> None:
    _justify_all(officer)
    assert officer.client().post(reverse("controls:soa-request"), {"note": "v1"}).status_code == 302
    # The officer holds no decide permission; the committee member does, and was not the requester.
    assert officer.client().post(reverse("controls:soa-decide"), {"decision": "approve"}).status_code == 403

    response = committee.client().post(reverse("controls:soa-decide"), {"decision": "approve"})

    assert response.status_code == 302
    assert SoAVersion.objects.get().number == 1
    versions = committee.client().get(reverse("controls:soa-version-list"))
    assert "Version 1" in versions.content.decode()


def test_a_committee_member_who_requested_cannot_decide_through_the_api(officer, committee, catalog) -> None:
    _justify_all(officer)
    committee.user.groups.add(*officer.user.groups.all())  # a committee member who may also request
    assert committee.api().post(reverse("api:soa-request"), {}, format="json").status_code == 201

    response = committee.api().post(reverse("api:soa-approve"), {}, format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"]
    assert Decision.objects.get().status == DecisionStatus.PENDING


def test_the_api_runs_the_whole_approval(officer, committee, catalog) -> None:
    row = officer.api().get(reverse("api:soa-entry-list")).json()["results"][0]
    patch = officer.api().patch(
        reverse("api:soa-entry-detail", kwargs={"pk": row["id"]}),
        {"applies": False, "justification": ""},
        format="json",
    )
    assert patch.status_code == 400
    _justify_all(officer)

    created = officer.api().post(reverse("api:soa-request"), {"note": "v1"}, format="json")
    assert created.status_code == 201 and created.json()["number"] is None
    assert officer.api().post(reverse("api:soa-request"), {}, format="json").status_code == 409

    approved = committee.api().post(reverse("api:soa-approve"), {"rationale": "Fine"}, format="json")

    assert approved.status_code == 200
    assert approved.json()["number"] == 1 and len(approved.json()["rows"]) == 38
    assert committee.api().post(reverse("api:soa-approve"), {}, format="json").status_code == 409
    listed = officer.api().get(reverse("api:soa-version-list")).json()
    assert listed["count"] == 1


# --- CSV ----------------------------------------------------------------------------------------------------------


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def test_the_export_has_every_row_with_its_status(auditor, catalog) -> None:
    response = auditor.client().get(reverse("controls:soa-export"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 38
    assert rows[0]["key"] == "A.2.2" and rows[0]["control_status"] == "not_evidenced"


def test_an_import_with_one_bad_row_imports_nothing_and_names_the_row(officer, catalog) -> None:
    data = _csv(
        [
            ["key", "applies", "justification"],
            ["A.2.2", "yes", "Policy needed."],
            ["A.99", "yes", "Unknown control."],
            ["A.2.3", "maybe", ""],
        ]
    )

    result = csv_io.import_soa(user=officer.user, data=data)

    assert not result.ok
    assert [row for row, _ in result.errors] == [3, 4, 4]
    assert SoAEntry.objects.get(requirement__ref="A.2.2").justification == ""


def test_a_valid_import_sets_applicability_and_justification_through_the_history(officer, catalog) -> None:
    data = _csv([["key", "applies", "justification"], ["A.2.2", "yes", "Policy."], ["A.10.4", "no", "None."]])

    response = officer.client().post(
        reverse("controls:soa-import"), {"file": SimpleUploadedFile("soa.csv", data, content_type="text/csv")}
    )

    assert response.status_code == 302
    entry = SoAEntry.objects.get(requirement__ref="A.10.4")
    assert (entry.applies, entry.justification) == (False, "None.")
    assert entry.history.first().history_change_reason == "CSV import"


def test_the_import_page_shows_errors_by_row(officer, catalog) -> None:
    data = _csv([["key", "applies", "justification"], ["A.2.2", "yes", ""]])
    response = officer.client().post(reverse("controls:soa-import"), {"file": SimpleUploadedFile("s.csv", data)})
    assert response.status_code == 400
    assert "Row 2" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"), [("officer", 200), ("committee", 403), ("auditor", 403)], indirect=["persona"]
)
def test_only_officers_open_the_row_editor(persona, status, catalog) -> None:
    entry = SoAEntry.objects.get(requirement__ref="A.2.2")
    assert persona.client().get(reverse("controls:soa-entry-edit", kwargs={"pk": entry.pk})).status_code == status


def test_the_row_editor_requires_a_justification_and_saves_with_a_reason(officer, catalog) -> None:
    entry = SoAEntry.objects.get(requirement__ref="A.10.4")
    url = reverse("controls:soa-entry-edit", kwargs={"pk": entry.pk})
    base = {"implementation_status": "planned", "owner": officer.user.pk}

    assert officer.client().post(url, {**base, "justification": ""}).status_code == 400
    response = officer.client().post(url, {**base, "justification": "Not offered.", "reason": "Review"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.applies, entry.justification) == (False, "Not offered.")  # unchecked box: does not apply


def test_a_version_page_shows_the_frozen_rows_and_the_decision(officer, committee, catalog) -> None:
    version = frozen_soa(requested_by=officer.user, approved_by=committee.user)
    page = officer.client().get(reverse("controls:soa-version-detail", kwargs={"pk": version.pk}))
    body = page.content.decode()
    assert page.status_code == 200 and "SoA version 1" in body and "Control A.1" in body
    assert "not signed yet" in body
    export = officer.client().get(reverse("controls:soa-version-export", kwargs={"pk": version.pk}))
    assert "soa-version-1.csv" in export["Content-Disposition"]
