"""Check-digit algorithms used to validate recognizer candidates.

A pattern alone flags every 16-digit order number as a card; the check digit is what separates an identifier
from a number that merely has its shape. Each function takes the compact form (separators removed) and
returns a bool, never raising on malformed input, because the recognizers call them on untrusted text.
"""

from __future__ import annotations

__all__ = [
    "aadhaar_valid",
    "es_nif_valid",
    "iban_valid",
    "luhn_valid",
    "nhs_valid",
    "verhoeff_valid",
]

# Verhoeff tables (dihedral group D5 multiplication and the permutation), as published by Verhoeff (1969).
# Row i of the permutation table is row 1 applied i times; a test checks the literal against that rule.
_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)

# The Spanish NIF control letter: the DNI number modulo 23 indexed into this string (Real Decreto 1553/2005).
_NIF_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

# IBAN lengths per country (ISO 13616 registry). A candidate with the wrong length for its country is
# rejected before the mod-97 test, which alone would let through 1 in 97 random strings.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27,
    "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25,
    "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18,
    "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def luhn_valid(digits: str) -> bool:
    """Luhn (mod 10) check used by payment card numbers (ISO/IEC 7812-1)."""
    if not digits.isdigit():
        return False
    total = 0
    # Double every second digit counting from the rightmost (the check digit itself is not doubled).
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index & 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def iban_valid(compact: str) -> bool:
    """ISO 13616 IBAN: known country, registered length, and ISO 7064 mod 97-10 remainder of 1."""
    if len(compact) < 5 or IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    if not compact[2:4].isdigit() or not compact.isalnum() or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    # Letters become two-digit numbers (A=10 ... Z=35); int(ch, 36) does exactly that for 0-9A-Z.
    remainder = 0
    for char in rearranged:
        value = int(char, 36)
        remainder = (remainder * (100 if value > 9 else 10) + value) % 97
    return remainder == 1


def nhs_valid(digits: str) -> bool:
    """NHS number (England and Wales) mod 11: weights 10..2; a computed check of 10 means invalid."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum((10 - i) * (ord(digits[i]) - 48) for i in range(9))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == ord(digits[9]) - 48


def es_nif_valid(compact: str) -> bool:
    """Spanish NIF/DNI: eight digits and the control letter ``TRWAGMYFPDXBNJZSQVHLCKE[n % 23]``."""
    if len(compact) != 9 or not compact[:8].isdigit():
        return False
    return _NIF_LETTERS[int(compact[:8]) % 23] == compact[8]


def verhoeff_valid(digits: str) -> bool:
    """Verhoeff check (catches all single-digit errors and adjacent transpositions)."""
    if not digits.isdigit():
        return False
    check = 0
    for index, char in enumerate(reversed(digits)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[index % 8][ord(char) - 48]]
    return check == 0


def aadhaar_valid(digits: str) -> bool:
    """Indian Aadhaar: 12 digits, never starting with 0 or 1 (UIDAI), Verhoeff check digit."""
    return len(digits) == 12 and digits[0] not in "01" and verhoeff_valid(digits)
