"""RFC 8785 canonical JSON: the bundle revision depends on byte-exact output."""

import math

import pytest
from enforcement.jcs import CanonicalizationError, canonicalize


def test_it_sorts_keys_by_utf16_code_units() -> None:
    # U+1F600 (surrogate pair D83D DE00) sorts before U+FB33 in UTF-16, after it in code points.
    assert (
        canonicalize({"\ufb33": 1, "\U0001f600": 2, "a": 3}) == '{"a":3,"\U0001f600":2,"\ufb33":1}'.encode()
    )


def test_it_writes_numbers_like_ecmascript() -> None:
    cases = {
        1.0: "1",
        0.5: "0.5",
        1e21: "1e+21",
        1e20: "100000000000000000000",
        1e-7: "1e-7",
        0.000001: "0.000001",
        -0.0: "0",
        4.5e-6: "0.0000045",
        1.5e-7: "1.5e-7",
    }
    for value, expected in cases.items():
        assert canonicalize(value) == expected.encode(), value


def test_it_escapes_only_what_json_requires() -> None:
    assert canonicalize('é\n\x01"/') == b'"\xc3\xa9\\n\\u0001\\"/"'


def test_it_refuses_values_json_cannot_carry() -> None:
    for bad in (math.nan, math.inf, 2**53, {1: "x"}, object()):
        with pytest.raises(CanonicalizationError):
            canonicalize(bad)


def test_it_matches_the_rfc8785_package_when_installed() -> None:
    rfc8785 = pytest.importorskip("rfc8785")
    from enforcement.examples import benchmark_bundle

    values = [benchmark_bundle(), {"n": [0.1, 1e300, -5e-324, 123456789.125, 2**53 - 1]}, {"é": {"z": None}}]
    for value in values:
        assert canonicalize(value) == rfc8785.dumps(value)
