"""CSV export and all-or-nothing import of risks, with row-numbered errors."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from risks.csv_io import import_risks
from risks.models import Risk

HEADER = (
    "title,ai_system,source,affected_parties,inherent_likelihood,inherent_impact,"
    "residual_likelihood,residual_impact,owner,review_on\n"
)


def test_export_defuses_formulas_and_carries_the_derived_levels(auditor, own_risk) -> None:
    Risk.objects.filter(pk=own_risk.pk).update(title="=HYPERLINK(1)")
    response = auditor.client().get(reverse("risks:risk-export"))
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text
    assert "residual_level" in text.splitlines()[0]


def test_a_valid_file_imports_every_row(owner, own_system) -> None:
    data = HEADER + f"Drift,{own_system.name},C.3.4,Applicants,4,4,2,3,owner,2027-06-30\n"
    data += f"Bias,{own_system.name},C.3.4,Applicants,4,5,3,3,owner,2027-06-30\n"
    result = import_risks(user=owner.user, data=data.encode())
    assert result.ok and result.created == 2
    assert Risk.objects.get(title="Bias").level == "medium"


def test_one_bad_row_imports_nothing_and_names_the_row(owner, own_system, other_system) -> None:
    data = HEADER + f"Drift,{own_system.name},C.3.4,Applicants,4,4,2,3,owner,2027-06-30\n"
    data += f"Other,{other_system.name},C.3.4,Applicants,4,4,2,3,owner,2027-06-30\n"
    data += f"Worse,{own_system.name},C.3.4,Applicants,2,2,5,5,owner,2027-06-30\n"
    data += f"Bad,{own_system.name},C.9,Applicants,x,4,2,3,owner,not-a-date\n"
    result = import_risks(user=owner.user, data=data.encode())
    assert not result.ok and not Risk.objects.exists()
    rows = {row for row, _ in result.errors}
    assert rows == {3, 4, 5}
    messages = " ".join(m for _, m in result.errors)
    assert "you may not record risks" in messages and "inherent_likelihood" in messages and "review_on" in messages


def test_an_exported_file_imports_back_as_updates(officer, own_risk) -> None:
    text = b"".join(officer.client().get(reverse("risks:risk-export")).streaming_content)
    result = import_risks(user=officer.user, data=text)
    assert result.ok and result.updated == 1 and result.created == 0


def test_the_import_page_shows_row_errors(owner, own_system) -> None:
    upload = SimpleUploadedFile("r.csv", (HEADER + "x,Nope,C.3.4,a,1,1,1,1,owner,2027-01-01\n").encode())
    response = owner.client().post(reverse("risks:risk-import"), {"file": upload})
    assert response.status_code == 400 and "Row 2" in response.content.decode()
