"""The policy pages and the /api/v1/policies/ API: list, draft with diff, request, decide, history."""

from __future__ import annotations

import json

from django.urls import reverse

from aims.core.choices import DecisionKind
from aims.core.models import Decision
from policies import selectors
from policies.models import PolicyBundle
from tests.policies.factories import approved_model, published_bundle, support_use_case


def test_the_list_shows_the_current_revision_and_who_published_it(officer, committee, auditor) -> None:
    support_use_case()
    bundle = published_bundle(officer.user, committee.user)
    page = auditor.client().get(reverse("policies:index")).content.decode()
    assert bundle.revision in page
    assert str(officer.user) in page and str(committee.user) in page
    assert "Published" in page


def test_the_draft_page_shows_the_diff_and_an_officer_requests_publication(officer, committee) -> None:
    use_case = support_use_case()
    published_bundle(officer.user, committee.user)
    approved_model(use_case, gateway_name="mistral-large", provider="Mistral")
    client = officer.client()
    page = client.get(reverse("policies:draft")).content.decode()
    assert "diff-add" in page and "mistral-large" in page
    assert "Compile and ask the committee to publish" in page

    response = client.post(reverse("policies:request-publication"), {"note": "Mistral for support"})
    bundle = PolicyBundle.objects.first()
    assert response.status_code == 302 and response["Location"] == reverse("policies:bundle-detail", args=[bundle.pk])
    assert selectors.current_bundle() != bundle


def test_requesting_without_a_change_is_refused_with_a_message(officer, committee) -> None:
    support_use_case()
    published_bundle(officer.user, committee.user)
    response = officer.client().post(reverse("policies:request-publication"), {"note": ""})
    assert response.status_code == 409
    assert "not changed" in response.content.decode()


def test_the_committee_publishes_on_the_bundle_page(officer, committee) -> None:
    support_use_case()
    officer.client().post(reverse("policies:request-publication"), {"note": "first"})
    bundle = PolicyBundle.objects.get()
    page = committee.client().get(reverse("policies:bundle-detail", args=[bundle.pk])).content.decode()
    assert "Record decision" in page and "support-summaries" in page
    response = committee.client().post(
        reverse("policies:bundle-decide", args=[bundle.pk]), {"decision": "approve", "rationale": "fine"}
    )
    assert response.status_code == 302
    assert selectors.current_bundle() == bundle
    history = committee.client().get(reverse("policies:history")).content.decode()
    assert bundle.revision[:12] in history and "fine" in history


def test_a_rejection_needs_a_rationale(officer, committee) -> None:
    support_use_case()
    officer.client().post(reverse("policies:request-publication"))
    bundle = PolicyBundle.objects.get()
    response = committee.client().post(reverse("policies:bundle-decide", args=[bundle.pk]), {"decision": "reject"})
    assert response.status_code == 400
    assert selectors.current_bundle() is None


def test_the_bundle_downloads_as_json(officer, committee, owner) -> None:
    support_use_case()
    bundle = published_bundle(officer.user, committee.user)
    response = owner.client().get(reverse("policies:bundle-json", args=[bundle.pk]))
    assert json.loads(response.content) == bundle.content


def test_api_lists_bundles_with_requester_and_approver(officer, committee, auditor) -> None:
    support_use_case()
    bundle = published_bundle(officer.user, committee.user)
    listing = auditor.api().get(reverse("api:policy-bundle-list")).json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert row["revision"] == bundle.revision
    assert row["publication_status"] == "approved"
    assert row["requested_by"] == "officer" and row["approved_by"] == "committee"
    detail = auditor.api().get(reverse("api:policy-bundle-detail", args=[bundle.pk])).json()
    assert detail["content"] == bundle.content


def test_api_draft_and_request_publication(officer, committee) -> None:
    support_use_case()
    draft = officer.api().get(reverse("api:policy-bundle-draft")).json()
    assert draft["current_revision"] is None and draft["has_changes"]
    assert draft["diff"]["use_cases_added"] == ["support-summaries"]

    response = officer.api().post(reverse("api:policy-bundle-request-publication"), {"note": "go"}, format="json")
    assert response.status_code == 201
    assert response.json()["publication_status"] == "pending"
    decision = Decision.objects.get(kind=DecisionKind.POLICY_BUNDLE)
    again = officer.api().post(reverse("api:policy-bundle-request-publication"), {}, format="json")
    assert again.status_code == 409

    approve = committee.api().post(reverse("api:decision-approve", args=[decision.pk]), {}, format="json")
    assert approve.status_code == 200
    assert selectors.current_bundle().revision == response.json()["revision"]


def test_api_rejects_a_note_that_is_too_long(officer) -> None:
    support_use_case()
    response = officer.api().post(
        reverse("api:policy-bundle-request-publication"), {"note": "x" * 5000}, format="json"
    )
    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]
