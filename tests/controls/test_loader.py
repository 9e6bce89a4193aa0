"""The catalog loader: counts match the reference data, loads are idempotent, new versions update in place,
requirements that disappear are withdrawn (never deleted), and every write leaves history with its reason."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from controls import services
from controls.choices import LinkStrength, RequirementKind, RequirementStatus
from controls.loader import DATA_DIR, CatalogError, parse_catalog
from controls.models import CrosswalkLink, EnforcementMetric, Framework, Requirement, RequirementMetric


def _reference(name: str) -> dict:
    return yaml.safe_load((DATA_DIR / name).read_text())


def _annex_a_control_ids() -> list[str]:
    ids = []
    for topic in _reference("iso42001.yaml")["annex_a"]:
        for objective in topic.get("sub_objectives", [topic]):
            ids += [control["id"] for control in objective["controls"]]
    return ids


def _history_rows() -> int:
    return sum(
        model.history.count()
        for model in (Framework, Requirement, CrosswalkLink, EnforcementMetric, RequirementMetric)
    )


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


# --- counts against the reference -------------------------------------------------------------------------


def test_the_four_frameworks_are_loaded_under_their_slugs(catalog) -> None:
    assert list(Framework.objects.values_list("slug", flat=True)) == [
        "iso42001",
        "eu-ai-act",
        "nist-ai-rmf",
        "iso27001",
    ]


def test_exactly_the_38_annex_a_controls_of_the_reference_are_loaded_under_their_objectives(catalog) -> None:
    expected = _annex_a_control_ids()
    controls = Requirement.objects.filter(framework__slug="iso42001", kind=RequirementKind.CONTROL)
    assert sorted(controls.values_list("ref", flat=True)) == sorted(expected)
    assert len(expected) == _reference("iso42001.yaml")["counts"]["annex_a_controls"] == 38
    assert all(control.parent.kind == RequirementKind.OBJECTIVE for control in controls)
    logging = controls.get(ref="A.6.2.8")
    assert (logging.parent.ref, logging.parent.parent.ref) == ("A.6.2", "A.6")


def test_clauses_4_to_10_and_the_objectives_match_the_reference_counts(catalog) -> None:
    counts = _reference("iso42001.yaml")["counts"]
    clauses = Requirement.objects.filter(framework__slug="iso42001", kind=RequirementKind.CLAUSE)
    assert clauses.filter(parent=None).count() == counts["main_clauses"]
    assert clauses.exclude(parent=None).count() == counts["subclauses_listed"]
    assert list(clauses.filter(parent=None).values_list("ref", flat=True)) == [str(n) for n in range(4, 11)]
    assert clauses.get(ref="6.1.3").parent.ref == "6.1"
    objectives = Requirement.objects.filter(framework__slug="iso42001", kind=RequirementKind.OBJECTIVE)
    assert objectives.count() == counts["annex_a_objectives"]


def test_nist_functions_categories_and_subcategories_match_the_reference_counts(catalog) -> None:
    counts = _reference("nist_ai_rmf.yaml")["counts"]
    nist = Requirement.objects.filter(framework__slug="nist-ai-rmf")
    assert nist.filter(kind=RequirementKind.FUNCTION).count() == counts["functions"]
    assert nist.filter(kind=RequirementKind.CATEGORY).count() == counts["categories"]
    assert nist.filter(kind=RequirementKind.SUBCATEGORY).count() == counts["subcategories"]
    assert nist.get(ref="GOVERN 1.1").parent.ref == "GOVERN 1"


def test_eu_ai_act_tiers_articles_and_annex_iii_match_the_reference(catalog) -> None:
    reference = _reference("eu_ai_act.yaml")
    eu = Requirement.objects.filter(framework__slug="eu-ai-act")
    assert eu.filter(kind=RequirementKind.TIER).count() == len(reference["risk_tiers"])
    assert eu.get(ref="Art. 5").children.count() == reference["counts"]["prohibited_practices_art5"]
    assert eu.get(ref="Annex III").children.count() == reference["counts"]["annex_iii_areas"]
    high_risk = eu.get(ref="Tier: high-risk")
    listed = [f"Art. {item['article']}" for item in reference["high_risk_requirements_and_obligations"]]
    assert len(listed) == reference["counts"]["high_risk_articles_listed"]
    assert set(listed) <= set(high_risk.children.values_list("ref", flat=True))
    assert eu.get(ref="Art. 50(1)").guidance == "Duty of the provider."


def test_iso27001_is_loaded_as_structure_only_with_supporting_structure_links(catalog) -> None:
    rows = [r for r in _reference("crosswalk.yaml")["iso27001_harmonized_structure"] if r["iso27001_2022"] != "-"]
    framework = Framework.objects.get(slug="iso27001")
    assert framework.structure_only
    assert set(framework.requirements.values_list("text", flat=True)) == {""}
    assert framework.requirements.get(ref="6.1.3").title == "Information security risk treatment"
    links = CrosswalkLink.objects.filter(to_requirement__framework=framework)
    assert links.count() == len(rows)
    assert set(links.values_list("strength", "source", "inferred")) == {(LinkStrength.SUPPORTING, "HS", False)}
    assert not links.filter(from_requirement__ref="6.1.4").exists()  # 42001-only clause: no 27001 counterpart


# --- the crosswalk ------------------------------------------------------------------------------------------


def test_every_nist_pair_of_the_crosswalk_is_a_link_with_its_basis_and_strength(catalog) -> None:
    reference = _reference("crosswalk.yaml")
    expected = {
        (row["iso"], item["id"], item["basis"], item["strength"])
        for section in ("annex_a_controls", "clauses")
        for row in reference[section]
        for item in row.get("nist_ai_rmf") or []
    }
    loaded = set(
        CrosswalkLink.objects.filter(to_requirement__framework__slug="nist-ai-rmf").values_list(
            "from_requirement__ref", "to_requirement__ref", "source", "strength"
        )
    )
    assert loaded == expected


def test_links_are_inferred_exactly_when_their_basis_is_inferred(catalog) -> None:
    assert not CrosswalkLink.objects.filter(source="inferred", inferred=False).exists()
    assert not CrosswalkLink.objects.filter(inferred=True).exclude(source="inferred").exists()
    assert CrosswalkLink.objects.filter(inferred=True).count() > 0


def test_an_eu_point_finer_than_the_catalog_links_to_its_article_and_keeps_the_point(catalog) -> None:
    link = CrosswalkLink.objects.get(from_requirement__ref="A.2.2", reference="17(1)(a)")
    assert link.to_requirement.ref == "Art. 17"
    assert (link.strength, link.source, link.inferred) == ("partial", "inferred", True)
    # "49, 71" names two articles: 49 sits in the reference's "47-49" row.
    targets = CrosswalkLink.objects.filter(reference="49, 71").values_list("to_requirement__ref", flat=True)
    assert set(targets) == {"Art. 47-49", "Art. 71"}


def test_an_eu_point_the_catalog_holds_links_to_that_point(catalog) -> None:
    assert CrosswalkLink.objects.filter(reference="50(1)", to_requirement__ref="Art. 50(1)").exists()


# --- enforcement metrics ------------------------------------------------------------------------------------


def test_each_annex_a_control_carries_the_metrics_and_evidence_level_of_the_enforcement_file(catalog) -> None:
    reference = _reference("enforcement_controls.yaml")
    assert EnforcementMetric.objects.count() == reference["counts"]["metrics"]
    for item in reference["annex_a"]:
        control = Requirement.objects.get(framework__slug="iso42001", ref=item["id"])
        assert control.evidence_level == item["evidence_level"]
        assert sorted(control.metrics.values_list("code", flat=True)) == sorted(item["metrics"])
    automatic = Requirement.objects.filter(kind=RequirementKind.CONTROL, evidence_level="automatic")
    assert automatic.count() == reference["counts"]["annex_a_automatic"]


def test_eu_articles_named_in_the_enforcement_file_carry_their_metrics(catalog) -> None:
    article = Requirement.objects.get(framework__slug="eu-ai-act", ref="Art. 12")
    assert article.evidence_level == "automatic"
    assert set(article.metrics.values_list("code", flat=True)) == {
        "M-LOG-CONT",
        "M-LOG-COMPLETE",
        "M-LOG-INTEGRITY",
        "M-CLOCK",
    }


# --- idempotence, versions, withdrawal, history -------------------------------------------------------------


def test_the_first_load_records_history_without_a_user_and_with_the_data_version(catalog) -> None:
    framework = Framework.objects.get(slug="iso42001")
    record = Requirement.history.filter(ref="A.6.2.8").get()
    assert record.history_user is None
    assert record.history_change_reason == f"load_frameworks {framework.version}"
    link = CrosswalkLink.history.first()
    assert link.history_change_reason == f"load_frameworks {catalog.version}"


def test_loading_twice_makes_no_duplicates_and_no_history_rows(catalog) -> None:
    counts = (Framework.objects.count(), Requirement.objects.count(), CrosswalkLink.objects.count())
    history = _history_rows()

    report = services.load_frameworks()

    assert not report.changed
    assert (Framework.objects.count(), Requirement.objects.count(), CrosswalkLink.objects.count()) == counts
    assert _history_rows() == history


def test_a_new_data_version_updates_rows_in_place_and_records_history(catalog, tmp_path) -> None:
    data = _copy_data(tmp_path)

    def retitle(reference: dict) -> None:
        reference["data_version"] = "2026.2"
        reference["annex_a"][0]["controls"][0]["title"] = "AI policy (renamed)"

    _edit(data / "iso42001.yaml", retitle)
    before = Requirement.objects.count()

    report = services.load_frameworks(data_dir=data)

    policy = Requirement.objects.get(framework__slug="iso42001", ref="A.2.2")
    assert policy.title == "AI policy (renamed)"
    assert Requirement.objects.count() == before
    assert Framework.objects.get(slug="iso42001").version.startswith("2026.2")
    latest = policy.history.first()
    assert latest.history_change_reason.startswith("load_frameworks 2026.2")
    assert latest.prev_record.title == "AI policy"
    assert report.updated["requirement"] == 1


def test_a_requirement_gone_from_a_new_version_is_withdrawn_not_deleted_and_comes_back(catalog, tmp_path) -> None:
    data = _copy_data(tmp_path)

    def drop_customers(reference: dict) -> None:
        reference["data_version"] = "without-a10.4"
        reference["annex_a"][-1]["controls"] = reference["annex_a"][-1]["controls"][:-1]

    def drop_customer_links(crosswalk: dict) -> None:
        crosswalk["annex_a_controls"] = [row for row in crosswalk["annex_a_controls"] if row["iso"] != "A.10.4"]

    def drop_customer_evidence(enforcement: dict) -> None:
        enforcement["annex_a"] = [row for row in enforcement["annex_a"] if row["id"] != "A.10.4"]

    _edit(data / "iso42001.yaml", drop_customers)
    _edit(data / "crosswalk.yaml", drop_customer_links)
    _edit(data / "enforcement_controls.yaml", drop_customer_evidence)

    report = services.load_frameworks(data_dir=data)

    customers = Requirement.objects.get(framework__slug="iso42001", ref="A.10.4")
    assert customers.status == RequirementStatus.WITHDRAWN
    assert customers.withdrawn_in_version.startswith("without-a10.4")
    assert set(customers.links_out.values_list("withdrawn", flat=True)) == {True}
    assert report.withdrawn["requirement"] == 1

    services.load_frameworks()

    customers.refresh_from_db()
    assert (customers.status, customers.withdrawn_in_version) == (RequirementStatus.ACTIVE, "")
    assert set(customers.links_out.values_list("withdrawn", flat=True)) == {False}


def test_an_unresolvable_crosswalk_reference_is_refused_and_nothing_is_written(db, tmp_path) -> None:
    data = _copy_data(tmp_path)

    def bad_article(crosswalk: dict) -> None:
        crosswalk["annex_a_controls"][0]["eu_ai_act"][0]["article"] = "999(1)"

    _edit(data / "crosswalk.yaml", bad_article)

    with pytest.raises(CatalogError, match="999"):
        services.load_frameworks(data_dir=data)
    assert not Framework.objects.exists()


def test_the_loader_reads_the_projects_own_copy_of_the_data() -> None:
    assert DATA_DIR.parent.name == "controls"
    assert parse_catalog().framework("iso42001").requirements


def test_the_command_loads_and_a_second_run_reports_nothing_changed(db) -> None:
    first, second = StringIO(), StringIO()
    call_command("load_frameworks", stdout=first)
    call_command("load_frameworks", stdout=second)
    assert "created" in first.getvalue() and "38" not in second.getvalue()
    assert "created nothing; updated nothing; withdrawn nothing" in second.getvalue()


def test_the_command_reports_a_missing_data_directory_as_an_error(db, tmp_path) -> None:
    with pytest.raises(CommandError, match="missing data file"):
        call_command("load_frameworks", data_dir=tmp_path / "nowhere", stdout=StringIO())
