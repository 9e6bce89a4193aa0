"""CSV import of AI systems and use cases: every row validated first, errors by row number, all or nothing."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry import csv_io
from registry.models import AISystem, UseCase

HEADER = "name,purpose,owner,business_unit,ai_role,deployment,next_review_on,human_oversight,suppliers\n"
GOOD = "Mortgage pricing,Prices mortgage offers.,owner,Retail Lending,deployer,vendor_saas,2027-03-31,in_the_loop,\n"


def _upload(client, route: str, text: str):
    return client.post(reverse(route), {"file": SimpleUploadedFile("import.csv", text.encode(), "text/csv")})


def test_a_good_file_imports_every_row_with_history(officer, owner, supplier) -> None:
    text = (
        HEADER
        + GOOD
        + f"Chat triage,Routes chats.,owner,Service,deployer,vendor_saas,2027-01-31,on_the_loop,{supplier.name}\n"
    )
    response = _upload(officer.client(), "registry:system-import", text)
    assert response.status_code == 302
    assert AISystem.objects.count() == 2
    triage = AISystem.objects.get(name="Chat triage")
    assert list(triage.suppliers.all()) == [supplier]
    assert triage.history.first().history_change_reason == "CSV import"


def test_one_bad_row_rejects_the_whole_file_and_names_each_bad_row(officer, owner) -> None:
    text = (
        HEADER
        + GOOD
        + "Bad owner,Purpose.,nobody,Unit,deployer,vendor_saas,2027-01-31,in_the_loop,\n"
        + "Bad date,Purpose.,owner,Unit,overlord,vendor_saas,tomorrow,in_the_loop,Unknown Ltd\n"
        + GOOD
    )
    response = _upload(officer.client(), "registry:system-import", text)
    assert response.status_code == 400
    assert AISystem.objects.count() == 0
    errors = response.context["result"].errors
    rows = {row for row, _ in errors}
    assert rows == {3, 4, 5}
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "Row 3: owner: no user named" in page
    assert "next_review_on: expected a date" in page
    assert "no supplier named" in page
    assert "also on row 2" in page


def test_importing_the_export_updates_in_place(officer, own_system) -> None:
    exported = b"".join(officer.client().get(reverse("registry:system-export")).streaming_content).decode()
    changed = exported.replace("Retail Lending", "Consumer Lending")
    response = _upload(officer.client(), "registry:system-import", changed)
    assert response.status_code == 302, response.context and response.context["result"].errors
    own_system.refresh_from_db()
    assert own_system.business_unit == "Consumer Lending"
    assert AISystem.objects.count() == 1


def test_a_file_that_is_not_a_csv_is_refused_whole(officer) -> None:
    for data in (b"\xff\xfe\x00garbage", b"", b"colour,flavour\nred,sweet\n", HEADER.encode()):
        result = csv_io.import_ai_systems(user=officer.user, data=data)
        assert not result.ok
    assert AISystem.objects.count() == 0


def test_a_missing_column_is_reported_on_the_header_row(officer) -> None:
    result = csv_io.import_ai_systems(user=officer.user, data=b"name,purpose\nX,Y\n")
    assert result.errors[0][0] == 1
    assert "Missing columns" in result.errors[0][1]


def test_use_cases_import_with_pii_policies(owner, own_system) -> None:
    text = (
        "key,ai_system,name,data_categories,redaction_required,pii_policy,fail_mode,active\n"
        f"sme-scoring,{own_system.name},SME scoring,personal; financial,yes,"
        "IBAN_CODE=hash; EMAIL_ADDRESS=mask,closed,yes\n"
        f"code-help,{own_system.name},Code help,confidential,no,,open,yes\n"
    )
    response = _upload(owner.client(), "registry:usecase-import", text)
    assert response.status_code == 302
    use_case = UseCase.objects.get(key="sme-scoring")
    assert use_case.pii_policy == {"IBAN_CODE": "hash", "EMAIL_ADDRESS": "mask"}
    assert use_case.data_categories == ["personal", "financial"]
    assert UseCase.objects.get(key="code-help").fail_mode == "open"


def test_an_owner_cannot_import_use_cases_into_another_system(owner, own_system, other_system) -> None:
    text = (
        "key,ai_system,name,pii_policy\n"
        f"mine,{own_system.name},Mine,EMAIL_ADDRESS=mask\n"
        f"theirs,{other_system.name},Theirs,EMAIL_ADDRESS=mask\n"
    )
    response = _upload(owner.client(), "registry:usecase-import", text)
    assert response.status_code == 400
    assert response.context["result"].errors == [(3, "ai_system: you may not change the use cases of 'Sentinel'.")]
    assert not UseCase.objects.exists()


def test_use_case_rows_are_checked_like_the_form(officer, own_system, other_use_case) -> None:
    text = (
        "key,ai_system,name,redaction_required,pii_policy,fail_mode\n"
        f"Bad Key,{own_system.name},X,yes,EMAIL_ADDRESS=mask,closed\n"
        f"no-policy,{own_system.name},X,yes,,closed\n"
        f"bad-op,{own_system.name},X,yes,EMAIL_ADDRESS=shred,closed\n"
        f"bad-flag,{own_system.name},X,sometimes,EMAIL_ADDRESS=mask,sideways\n"
        f"{other_use_case.key},{own_system.name},Moved,yes,EMAIL_ADDRESS=mask,closed\n"
        f"ok-row,{own_system.name},X,yes,EMAIL_ADDRESS=mask,closed\n"
    )
    result = csv_io.import_use_cases(user=officer.user, data=text.encode())
    assert {row for row, _ in result.errors} == {2, 3, 4, 5, 6}
    assert not UseCase.objects.filter(key="ok-row").exists()


def test_formula_defusing_of_the_export_is_undone_on_import(officer, owner) -> None:
    text = HEADER + "'=Pricing,'-minus purpose,owner,Unit,deployer,vendor_saas,2027-03-31,in_the_loop,\n"
    assert csv_io.import_ai_systems(user=officer.user, data=text.encode()).ok
    assert AISystem.objects.get().name == "=Pricing"


def test_the_committee_cannot_import(committee) -> None:
    response = _upload(committee.client(), "registry:system-import", HEADER + GOOD)
    assert response.status_code == 403
    assert AISystem.objects.count() == 0


def test_use_cases_round_trip_through_export_and_import(officer, own_use_case) -> None:
    exported = b"".join(officer.client().get(reverse("registry:usecase-export")).streaming_content).decode()
    result = csv_io.import_use_cases(user=officer.user, data=exported.replace(",closed,", ",open,").encode())
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    own_use_case.refresh_from_db()
    assert own_use_case.fail_mode == "open"
