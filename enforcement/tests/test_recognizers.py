"""Recognizers: each finds its entity and leaves look-alikes alone."""

import pytest
from enforcement.errors import UnknownEntityType
from enforcement.recognizers import ENTITY_TYPES, detect


def found(text: str, *types: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.entity_type) for s in detect(text, types or ENTITY_TYPES)]


def test_it_finds_email_addresses() -> None:
    assert found("Write to jane.doe+x@mail.example.co.uk today.") == [
        ("jane.doe+x@mail.example.co.uk", "EMAIL_ADDRESS")
    ]


def test_it_ignores_email_look_alikes() -> None:
    for text in ("ssh root@localhost", "asset logo@2x.png", "a..b@example.com", "x@example.c", "@handle"):
        assert found(text, "EMAIL_ADDRESS") == [], text


def test_it_finds_phone_numbers_in_international_formats() -> None:
    for number in (
        "+44 20 7946 0958",
        "+1 (415) 555-0132",
        "+33 1 42 68 53 00",
        "0044 20 7946 0958",
        "+14155550132",
        "(415) 555-0132",
        "415-555-0132",
        "020 7946 0958",
        "+44 (0)20 7946 0958",
    ):
        assert found(f"Call {number} now.", "PHONE_NUMBER") == [(number, "PHONE_NUMBER")], number


def test_it_ignores_phone_look_alikes() -> None:
    for text in (
        "at 2024-03-15 14:22:05",
        "order ORD-2024-558812",
        "version v10.4.1234",
        "ISBN 978-3-16-148410-0",
        "dial +999 1234 5678",
        "123-456-7890",
        "Order 294-668-3251 shipped",
    ):
        assert found(text, "PHONE_NUMBER") == [], text


def test_it_finds_card_numbers_passing_luhn() -> None:
    assert found("card 4111 1111 1111 1111, exp 09/27") == [("4111 1111 1111 1111", "CREDIT_CARD")]
    assert found("amex 3782-822463-10005.") == [("3782-822463-10005", "CREDIT_CARD")]


def test_it_rejects_card_numbers_failing_luhn() -> None:
    assert found("card 4111 1111 1111 1112", "CREDIT_CARD") == []
    assert found("order 1710512345678", "CREDIT_CARD") == []  # not an issuer range


def test_it_finds_ibans_and_cuts_at_the_registered_length() -> None:
    assert found("IBAN GB82 WEST 1234 5698 7654 32 ASAP") == [("GB82 WEST 1234 5698 7654 32", "IBAN_CODE")]
    assert found("to DE89370400440532013000.") == [("DE89370400440532013000", "IBAN_CODE")]


def test_it_does_not_find_numbers_inside_an_invalid_iban() -> None:
    # The digits of a mistyped IBAN are not a card or a phone number of their own.
    assert found("to DE57 6063 3455 4811 0915 5 failed") == []


def test_it_finds_ipv4_and_ipv6() -> None:
    assert found("from 192.168.1.10:8080 and 2001:db8::8a2e:370:7334.") == [
        ("192.168.1.10", "IP_ADDRESS"),
        ("2001:db8::8a2e:370:7334", "IP_ADDRESS"),
    ]


def test_it_ignores_ip_look_alikes() -> None:
    for text in (
        "256.1.1.1",
        "v1.2.3.4.5",
        "10.0.19045.3803",
        "00:1A:2B:3C:4D:5E",
        "at 14:22:05",
        "192.168.001.010",
        "2001:db8::1::2",
    ):
        assert found(text, "IP_ADDRESS") == [], text


def test_it_finds_us_ssns_and_excludes_never_issued_ranges() -> None:
    assert found("SSN 123-45-6789.") == [("123-45-6789", "US_SSN")]
    for bad in ("000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "123-45-67890"):
        assert found(f"SSN {bad}", "US_SSN") == [], bad


def test_it_finds_uk_nino_with_valid_prefixes_only() -> None:
    assert found("NI AB 12 34 56 C and AB123456C") == [("AB 12 34 56 C", "UK_NINO"), ("AB123456C", "UK_NINO")]
    for bad in ("GB 12 34 56 A", "QQ 12 34 56 C", "AO 12 34 56 A", "AB 12 34 56 E", "AB 1234 56 C"):
        assert found(bad, "UK_NINO") == [], bad


def test_it_finds_nhs_numbers_passing_mod_11() -> None:
    assert found("NHS number 943 476 5919") == [("943 476 5919", "UK_NHS")]
    assert found("NHS number 943 476 5918", "UK_NHS") == []


def test_it_reads_a_spaced_ten_digit_number_by_its_context() -> None:
    # 943 476 5919 is both a valid NHS number and a valid NANP phone shape.
    assert found("Call me on 943 476 5919") == [("943 476 5919", "PHONE_NUMBER")]
    assert found("Patient 943 476 5919") == [("943 476 5919", "UK_NHS")]


def test_it_finds_spanish_nif_with_the_right_letter() -> None:
    assert found("DNI 12345678Z y 12345678-Z") == [("12345678Z", "ES_NIF"), ("12345678-Z", "ES_NIF")]
    assert found("DNI 12345678A", "ES_NIF") == []


def test_it_finds_aadhaar_passing_verhoeff() -> None:
    assert found("UID 2345 6789 0124") == [("2345 6789 0124", "IN_AADHAAR")]
    assert found("UID 2345 6789 0123", "IN_AADHAAR") == []


def test_it_only_runs_the_requested_types() -> None:
    assert found("jane@example.com 4111 1111 1111 1111", "CREDIT_CARD") == [
        ("4111 1111 1111 1111", "CREDIT_CARD")
    ]


def test_it_refuses_unknown_entity_types() -> None:
    with pytest.raises(UnknownEntityType):
        detect("text", ["PASSPORT"])
