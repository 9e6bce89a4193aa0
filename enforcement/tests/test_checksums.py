"""Check-digit algorithms against published example values."""

from enforcement.checksums import (
    aadhaar_valid,
    es_nif_valid,
    iban_valid,
    luhn_valid,
    nhs_valid,
    verhoeff_valid,
)


def test_it_accepts_card_numbers_passing_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("378282246310005")  # Amex test number


def test_it_rejects_card_numbers_failing_luhn() -> None:
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("4111 1111 1111 1111")  # only compact digits are checked


def test_it_validates_iban_mod_97_and_country_length() -> None:
    assert iban_valid("GB82WEST12345698765432")
    assert iban_valid("DE89370400440532013000")
    assert not iban_valid("GB82WEST12345698765433")  # one digit changed
    assert not iban_valid("DE8937040044053201300")  # one character short for DE
    assert not iban_valid("XX82WEST12345698765432")  # no such country


def test_it_validates_nhs_mod_11() -> None:
    assert nhs_valid("9434765919")
    assert not nhs_valid("9434765918")


def test_it_rejects_nhs_stems_whose_check_would_be_ten() -> None:
    # For some 9-digit stems 11 - (weighted sum % 11) is 10: no check digit can make them valid.
    def check(stem: str) -> int:
        return 11 - sum(int(d) * w for d, w in zip(stem, range(10, 1, -1), strict=True)) % 11

    ten_stem = next(s for s in (f"{n:09d}" for n in range(400000000, 400000100)) if check(s) == 10)
    assert not any(nhs_valid(ten_stem + str(d)) for d in range(10))


def test_it_checks_the_spanish_nif_control_letter() -> None:
    assert es_nif_valid("12345678Z")
    assert not es_nif_valid("12345678A")
    assert not es_nif_valid("1234567Z")


def test_the_verhoeff_permutation_table_follows_its_definition() -> None:
    # Row i is row 1 applied i times. A literal table with a typo passes casual tests but fails real numbers.
    from enforcement.checksums import _VERHOEFF_P

    row = list(range(10))
    for expected in _VERHOEFF_P:
        assert list(expected) == row
        row = [_VERHOEFF_P[1][x] for x in row]


def test_it_applies_verhoeff_to_aadhaar() -> None:
    # Published Verhoeff examples: 236 -> 3, 12345 -> 1, 142857 -> 0.
    assert verhoeff_valid("2363") and verhoeff_valid("123451") and verhoeff_valid("1428570")
    assert not verhoeff_valid("2364")
    assert aadhaar_valid("234567890124")
    assert not aadhaar_valid("234567890123")
    assert not aadhaar_valid("134567890124")  # Aadhaar never starts with 0 or 1
