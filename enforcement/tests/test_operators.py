"""Operators: mask, replace and keyed hash."""

import pytest
from enforcement.errors import HashKeyError
from enforcement.operators import apply_operators, coerce_key, keyed_token
from enforcement.recognizers import detect

KEY = b"k" * 32


def redact(text: str, operator: str, key: bytes | None = KEY) -> str:
    spans = detect(text)
    return apply_operators(text, spans, {s.entity_type: operator for s in spans}, key)


def test_it_replaces_with_a_typed_placeholder() -> None:
    assert redact("mail jane@example.com now", "replace") == "mail <EMAIL_ADDRESS> now"


def test_it_masks_letters_and_digits_but_keeps_the_shape() -> None:
    assert redact("card 4111-1111-1111-1111.", "mask") == "card ****-****-****-****."


def test_it_hashes_with_the_deployment_key_stably() -> None:
    first = redact("mail jane@example.com", "hash")
    assert first == redact("mail JANE@example.com", "hash")  # case does not change an address
    assert first.startswith("mail <EMAIL_ADDRESS:") and first.endswith(">")
    assert len(first.split(":")[1].rstrip(">")) == 12
    assert first != redact("mail jane@example.com", "hash", key=b"x" * 32)


def test_it_hashes_the_same_number_in_different_formats_to_one_token() -> None:
    assert keyed_token("CREDIT_CARD", "4111 1111 1111 1111", KEY) == keyed_token(
        "CREDIT_CARD", "4111-1111-1111-1111", KEY
    )
    assert keyed_token("PHONE_NUMBER", "+44 20 7946 0958", KEY) == keyed_token(
        "PHONE_NUMBER", "0044 20 7946 0958", KEY
    )


def test_it_keeps_types_apart_in_hashes() -> None:
    assert (
        keyed_token("UK_NHS", "9434765919", KEY).split(":")[1]
        != keyed_token("PHONE_NUMBER", "9434765919", KEY).split(":")[1]
    )


def test_it_requires_a_long_enough_hash_key() -> None:
    with pytest.raises(HashKeyError):
        coerce_key("short")
    with pytest.raises(HashKeyError):
        redact("mail jane@example.com", "hash", key=None)
    assert coerce_key("a" * 16) == b"a" * 16
