"""The catalog browser: frameworks → framework tree → requirement with its crosswalk both ways, search, and the
crosswalk list with its CSV export. Every role reads it."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from controls.choices import RequirementStatus
from controls.models import CrosswalkLink, Requirement


def _requirement(framework: str, ref: str) -> Requirement:
    return Requirement.objects.get(framework__slug=framework, ref=ref)


@pytest.mark.parametrize("persona", ["officer", "owner", "committee", "auditor"], indirect=True)
def test_every_role_sees_the_four_frameworks_with_their_data_version(persona, catalog) -> None:
    page = persona.client().get(reverse("controls:index"))

    assert page.status_code == 200
    assert [f.slug for f in page.context["frameworks"]] == ["iso42001", "eu-ai-act", "nist-ai-rmf", "iso27001"]
    iso = page.context["frameworks"][0]
    assert iso.control_count == 38
    assert iso.version in page.content.decode()


def test_the_controls_entry_appears_in_the_navigation_for_a_role_holder(officer, catalog) -> None:
    page = officer.client().get(reverse("home"))
    assert reverse("controls:index") in page.content.decode()


def test_the_framework_page_shows_the_tree_with_controls_under_their_objectives(auditor, catalog) -> None:
    page = auditor.client().get(reverse("controls:framework-detail", kwargs={"slug": "iso42001"}))

    assert page.status_code == 200
    tree = page.context["tree"]
    refs = [node.ref for node in tree]
    assert refs.index("A.6") < refs.index("A.6.2") < refs.index("A.6.2.8")
    assert {node.ref: node.depth for node in tree}["A.6.2.8"] == 2
    body = page.content.decode()
    assert 'class="depth-2 kind-control' in body
    assert "style=" not in body and "<script" not in body


def test_an_unknown_framework_is_not_found(officer, catalog) -> None:
    assert officer.client().get(reverse("controls:framework-detail", kwargs={"slug": "nope"})).status_code == 404


def test_a_requirement_shows_what_it_helps_satisfy_with_strength_source_and_inferred(owner, catalog) -> None:
    policy = _requirement("iso42001", "A.2.2")

    page = owner.client().get(reverse("controls:requirement-detail", kwargs={"pk": policy.pk}))

    assert page.status_code == 200
    satisfies = page.context["crosswalk"].satisfies
    pairs = {(link.to_requirement.ref, link.reference, link.source) for link in satisfies}
    assert ("Art. 17", "17(1)(a)", "inferred") in pairs
    assert ("GOVERN 1.1", "GOVERN 1.1", "MS-AIRC") in pairs
    body = page.content.decode()
    assert "badge-inferred" in body and ">inferred<" in body
    assert "Partial" in body


def test_a_requirement_shows_what_helps_satisfy_it_from_other_frameworks(committee, catalog) -> None:
    govern = _requirement("nist-ai-rmf", "GOVERN 1.1")

    page = committee.client().get(reverse("controls:requirement-detail", kwargs={"pk": govern.pk}))

    helpers = {link.from_requirement.ref for link in page.context["crosswalk"].satisfied_by}
    assert {"A.2.2", "A.2.4", "4.1"} <= helpers
    assert page.context["crosswalk"].satisfies == []
    assert "Helped by" in page.content.decode()


def test_a_control_shows_the_enforcement_metrics_that_can_evidence_it(auditor, catalog) -> None:
    logging = _requirement("iso42001", "A.6.2.8")

    page = auditor.client().get(reverse("controls:requirement-detail", kwargs={"pk": logging.pk}))

    codes = [metric.code for metric in page.context["metrics"]]
    assert codes == ["M-LOG-CONT", "M-LOG-COMPLETE", "M-LOG-INTEGRITY", "M-LOG-RETENTION", "M-CLOCK"]
    body = page.content.decode()
    assert "Evidence from the enforcement layer" in body and "Automatic" in body


def test_a_withdrawn_requirement_is_still_shown_and_marked(officer, catalog) -> None:
    customers = _requirement("iso42001", "A.10.4")
    Requirement.objects.filter(pk=customers.pk).update(status=RequirementStatus.WITHDRAWN, withdrawn_in_version="v9")

    detail = officer.client().get(reverse("controls:requirement-detail", kwargs={"pk": customers.pk}))
    tree = officer.client().get(reverse("controls:framework-detail", kwargs={"slug": "iso42001"}))

    assert detail.status_code == 200 and "Withdrawn" in detail.content.decode()
    assert "withdrawn in v9" in tree.content.decode()


def test_search_finds_requirements_across_frameworks_and_filters_by_framework(officer, catalog) -> None:
    everywhere = officer.client().get(reverse("controls:requirement-list"), {"q": "event log"})
    iso_only = officer.client().get(reverse("controls:requirement-list"), {"q": "log", "framework": "iso42001"})

    assert "A.6.2.8" in [r.ref for r in everywhere.context["page"]]
    assert {r.framework.slug for r in iso_only.context["page"]} == {"iso42001"}
    assert len(iso_only.context["page"]) > 0


def test_filtering_by_kind_lists_the_annex_a_controls(officer, catalog) -> None:
    page = officer.client().get(reverse("controls:requirement-list"), {"framework": "iso42001", "kind": "control"})
    assert page.context["page"].paginator.count == 38


@pytest.mark.parametrize(
    "query",
    [{"framework": "no-such-framework"}, {"kind": "bogus"}, {"q": "x" * 5000}],
    ids=["unknown framework", "unknown kind", "oversize search"],
)
def test_bad_filters_answer_400_not_500(officer, catalog, query) -> None:
    assert officer.client().get(reverse("controls:requirement-list"), query).status_code == 400


def test_a_nul_byte_in_the_search_is_refused(officer, catalog) -> None:
    assert officer.client().get(reverse("controls:requirement-list") + "?q=a%00b").status_code == 400


def test_the_crosswalk_list_filters_inferred_links_and_shows_them_as_inferred(auditor, catalog) -> None:
    page = auditor.client().get(reverse("controls:crosswalk-list"), {"inferred": "true", "framework": "nist-ai-rmf"})

    links = list(page.context["page"])
    assert links and all(link.inferred for link in links)
    assert "badge-inferred" in page.content.decode()


def test_the_crosswalk_list_refuses_a_bad_requirement_id(auditor, catalog) -> None:
    page = auditor.client().get(reverse("controls:crosswalk-list"), {"requirement": "9" * 30})
    assert page.status_code == 400


def test_the_crosswalk_export_is_a_filtered_csv_with_the_inferred_column(officer, catalog) -> None:
    policy = _requirement("iso42001", "A.2.2")

    response = officer.client().get(reverse("controls:crosswalk-export"), {"requirement": policy.pk})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == CrosswalkLink.objects.filter(from_requirement=policy).count()
    assert {row["from_ref"] for row in rows} == {"A.2.2"}
    assert {row["inferred"] for row in rows} == {"yes", "no"}
