r"""PII recognizers: a precompiled pattern per entity type, then validation of each candidate.

Every recognizer follows the same shape: a cheap prefilter on the whole text (skip the regex entirely when the
text cannot contain the entity), a regex anchored with look-arounds so that it never matches inside a longer
token, and a validator (check digit, assigned ranges, registered lengths) that turns "looks like" into "is".

Speed: every pattern starts with a literal or a character class and puts its "not inside a longer token"
lookbehind *after* that first character (``\d(?<![\w-]\d)`` rather than ``(?<![\w-])\d``). Python's ``re``
then skips ahead in C to the next possible first character instead of trying the lookbehind at every
position, which made detection about twice as fast on 1 KB prompts.
Entity type names are Presidio's, so policies and comparisons speak the same vocabulary.

Where two candidates overlap, the longer span wins, then the higher priority (checksum-validated types beat
shape-only ones). A 10-digit number written 3-3-4 with spaces can be both a valid NHS number and a North
American phone number; for that exact tie the words just before it decide (see ``_prefer_phone``).
"""

from __future__ import annotations

import ipaddress
import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .checksums import IBAN_LENGTHS, aadhaar_valid, es_nif_valid, iban_valid, luhn_valid, nhs_valid
from .errors import UnknownEntityType

__all__ = ["ENTITY_TYPES", "Span", "UnknownEntityType", "detect"]

EMAIL_ADDRESS = "EMAIL_ADDRESS"
PHONE_NUMBER = "PHONE_NUMBER"
CREDIT_CARD = "CREDIT_CARD"
IBAN_CODE = "IBAN_CODE"
IP_ADDRESS = "IP_ADDRESS"
US_SSN = "US_SSN"
UK_NINO = "UK_NINO"
UK_NHS = "UK_NHS"
ES_NIF = "ES_NIF"
IN_AADHAAR = "IN_AADHAAR"


@dataclass(frozen=True, slots=True)
class Span:
    """A detected entity: half-open character offsets into the analysed text and its type."""

    start: int
    end: int
    entity_type: str


# A candidate is (start, end, entity_type, priority); tuples keep the hot path free of object churn.
Candidate = tuple[int, int, str, int]

# A "shadow" is a token shaped like a card or an IBAN that failed validation. It takes part in overlap
# resolution and is then dropped: the digits inside "DE57 6063 3455 4811 0915 5" (an IBAN with a typo) are
# not a separate card or phone number just because the IBAN around them is invalid.
SHADOW = ""
_SHADOW_PRIORITY = 100
Finder = Callable[[str, list[Candidate]], None]

# --- e-mail -----------------------------------------------------------------------------------------------

# Searched around each "@" only: the local part backwards from it, the domain forwards from it.
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9_%+\-])?\Z")
_EMAIL_DOMAIN_RE = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+(?P<tld>[A-Za-z]{2,63})(?![\w\-@]|\.[A-Za-z0-9])"
)
_EMAIL_LOCAL_STOP = frozenset(".%+-_") | frozenset(string.ascii_letters + string.digits)
# File extensions that are not top-level domains: "logo@2x.png" is an asset name, not an address.
_NOT_TLDS = frozenset(
    {
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "bmp",
        "tif",
        "tiff",
        "js",
        "css",
        "txt",
        "pdf",
        "html",
        "htm",
        "json",
        "yaml",
        "yml",
        "md",
        "exe",
        "dll",
        "zip",
        "tar",
        "gz",
        "mp3",
        "mp4",
        "wav",
        "csv",
        "xml",
        "ts",
        "jsx",
        "tsx",
        "ico",
    }
)


def _find_email(text: str, out: list[Candidate]) -> None:
    at = text.find("@")
    while at != -1:
        domain = _EMAIL_DOMAIN_RE.match(text, at + 1)
        if domain is not None and domain.group("tld").lower() not in _NOT_TLDS:
            window_start = max(0, at - 64)
            local = _EMAIL_LOCAL_RE.search(text, window_start, at)
            if local is not None:
                start = local.start()
                # The local part must be the whole token: not preceded by another local-part character
                # (which would mean it is longer than 64), and without "..".
                value = text[start:at]
                before_ok = start == 0 or text[start - 1] not in _EMAIL_LOCAL_STOP
                if before_ok and ".." not in value:
                    out.append((start, domain.end(), EMAIL_ADDRESS, 60))
        at = text.find("@", at + 1)


# --- phone numbers ----------------------------------------------------------------------------------------

# ITU-T E.164 country calling codes in service. Codes are prefix-free, so the first match while reading
# digits left to right is the country code.
_COUNTRY_CODES = frozenset(
    [
        "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
        "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65",
        "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98", "211", "212", "213", "216",
        "218", "290", "291", "297", "298", "299", "420", "421", "423", "850", "852", "853", "855", "856",
        "880", "886", "979",
    ]
    + [str(c) for c in range(220, 259)]
    + [str(c) for c in range(260, 270)]
    + [str(c) for c in range(350, 360)]
    + [str(c) for c in range(370, 390) if c != 384]
    + [str(c) for c in range(500, 510)]
    + [str(c) for c in range(590, 600)]
    + [str(c) for c in range(670, 693) if c != 671]
    + [str(c) for c in range(960, 969)]
    + [str(c) for c in range(970, 978)]
    + [str(c) for c in range(992, 999)]
)  # fmt: skip

# International: "+" or "00", then digits with single separators (space, dot, dash) and at most one pair of
# parentheses. The class is greedy and the validator checks the structure.
_PHONE_INTL_RE = re.compile(r"\+(?<![\w+]\+)\(?\d[\d ().\-]{5,24}\d(?!\d)")
_PHONE_INTL_00_RE = re.compile(r"00(?<![\w+]00)\(?\d[\d ().\-]{5,24}\d(?!\d)")
# North American numbering plan: (NPA) NXX-XXXX, NPA-NXX-XXXX, NPA.NXX.XXXX, NPA NXX XXXX, optional "1-".
# Three patterns, one per first character ("(", a digit, the trunk "1"), each with its own fast prefix scan.
_NANP_TAIL = r"(?P<nxx>\d{3})[ .\-]\d{4}(?![\w]|[.\-]\d)"
_PHONE_NANP_RES = (
    re.compile(r"\((?<![\w+(.\-]\()(?P<npa1>\d{3})\) ?" + _NANP_TAIL),
    re.compile(r"\d(?<![\w+(.\-]\d)(?<=(?P<npa2>\d))\d{2}[ .\-]" + _NANP_TAIL),
    re.compile(r"1(?<![\w+(.\-]1)[ .\-](?:\((?P<npa1>\d{3})\) ?|(?P<npa3>\d{3})[ .\-])" + _NANP_TAIL),
)
# National with trunk prefix 0 (UK style): 020 7946 0958, 07700 900123, (0161) 496 0018.
_NATIONAL_TAIL = r"\d{3,4}[ \-]?\d{3,4}(?![\w]|[.\-]\d)"
_PHONE_NATIONAL_RES = (
    re.compile(r"\((?<![\w+(.\-]\()0\d{1,4}\) ?" + _NATIONAL_TAIL),
    re.compile(r"0(?<![\w+(.\-]0)\d{1,4}[ \-]" + _NATIONAL_TAIL),
)
_PHONE_SEPARATORS_RE = re.compile(r"[ .\-]{2}|\)\(|\(\)")
_NON_DIGITS_RE = re.compile(r"\D")


_OTHER_LABELS = (
    "order",
    "account",
    "acct",
    "ref",
    "invoice",
    "ticket",
    "nhs",
    "patient",
    "case",
    "claim",
    "policy",
    "serial",
    "tracking",
    "isbn",
    "sku",
    "batch",
    "id ",
    "no.",
)
_PHONE_LABELS = (
    "call",
    "phone",
    "tel",
    "mobile",
    "cell",
    "ring",
    "dial",
    "text",
    "whatsapp",
    "fax",
    "reach",
    "contact",
    "line",
)


def _labelled_as_other(text: str, start: int) -> bool:
    before = text[max(0, start - 24) : start].lower()
    return any(w in before for w in _OTHER_LABELS) and not any(w in before for w in _PHONE_LABELS)


def _country_code_length(digits: str) -> int:
    for length in (1, 2, 3):
        if digits[:length] in _COUNTRY_CODES:
            return length
    return 0


def _international_phone_valid(value: str) -> bool:
    if _PHONE_SEPARATORS_RE.search(value) or value.count("(") != value.count(")") or value.count("(") > 1:
        return False
    if "(" in value and value.index("(") > value.index(")"):
        return False
    digits = _NON_DIGITS_RE.sub("", value)
    if value.startswith("00"):
        digits = digits[2:]
        # "0044 20 ..." only: the 00 prefix and the country code stand alone as the first group, otherwise
        # any long number starting with 00 (order ids, account numbers) would qualify.
        first_group = re.match(r"00\d+", value)
        if first_group is None or len(first_group.group()) - 2 != _country_code_length(digits):
            return False
    cc_length = _country_code_length(digits)
    # E.164 allows at most 15 digits; fewer than 8 including the country code is no dialable number.
    return cc_length > 0 and 8 <= len(digits) <= 15 and len(digits) - cc_length >= 6


def _find_phone(text: str, out: list[Candidate]) -> None:
    for pattern, needle in ((_PHONE_INTL_RE, "+"), (_PHONE_INTL_00_RE, "00")):
        if needle in text:
            for m in pattern.finditer(text):
                if _international_phone_valid(m.group()):
                    out.append((m.start(), m.end(), PHONE_NUMBER, 40))
    for pattern in _PHONE_NANP_RES:
        for m in pattern.finditer(text):
            value = m.group()
            groups = m.groupdict()
            npa = groups.get("npa1") or groups.get("npa3") or value[:3]
            # NPA and NXX never start with 0 or 1 in the North American plan.
            if npa[0] in "01" or m.group("nxx")[0] in "01":
                continue
            # A bare 3-3-4 number is a phone number only if nothing labels it as something else: "Order
            # 294-668-3251" and "NHS number 485 777 3456" have the shape but not the meaning.
            if groups.get("npa2") is not None and _labelled_as_other(text, m.start()):
                continue
            out.append((m.start(), m.end(), PHONE_NUMBER, 40))
    for pattern in _PHONE_NATIONAL_RES:
        for m in pattern.finditer(text):
            digits = _NON_DIGITS_RE.sub("", m.group())
            if 10 <= len(digits) <= 11 and digits[1] != "0":
                out.append((m.start(), m.end(), PHONE_NUMBER, 40))


# --- payment cards ----------------------------------------------------------------------------------------

_CARD_RE = re.compile(
    r"\d(?<![\w\-]\d)"
    r"(?:\d{3}(?P<s1>[ \-])\d{4}(?P=s1)\d{4}(?P=s1)\d{4}(?:(?P=s1)\d{3})?"  # 4-4-4-4(-3)
    r"|\d{3}(?P<s2>[ \-])\d{6}(?P=s2)\d{4,5}"  # Amex 4-6-5, Diners 4-6-4
    r"|\d{12,18})"
    r"(?![\w]|[\-]\d)"
)


def _card_prefix_known(digits: str) -> bool:
    """Issuer identification ranges in use (ISO/IEC 7812): rules out Luhn-valid ids of other kinds."""
    first = digits[0]
    if first == "4" or first == "6":
        return True
    if first == "5":
        return True  # 51-55 Mastercard, 50 and 56-59 Maestro
    if first == "3":
        return digits[1] in "0456789"  # Diners 30/36/38/39, Amex 34/37, JCB 35
    if first == "2":
        return 2221 <= int(digits[:4]) <= 2720  # Mastercard 2-series
    return False


def _find_card(text: str, out: list[Candidate]) -> None:
    for m in _CARD_RE.finditer(text):
        value = m.group()
        digits = value.replace(" ", "").replace("-", "")
        end = m.end()
        if not (13 <= len(digits) <= 19 and _card_prefix_known(digits) and luhn_valid(digits)):
            # "4111 1111 1111 1111 123" may be a card followed by a CVV-like group: retry the 16 digits.
            if m.group("s1") and len(digits) == 19 and luhn_valid(digits[:16]) and _card_prefix_known(digits):
                end = m.start() + 19
            else:
                out.append((m.start(), m.end(), SHADOW, _SHADOW_PRIORITY))
                continue
        out.append((m.start(), end, CREDIT_CARD, 90))


# --- IBAN -------------------------------------------------------------------------------------------------

_IBAN_RE = re.compile(r"[A-Z](?<!\w[A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)")


def _find_iban(text: str, out: list[Candidate]) -> None:
    for m in _IBAN_RE.finditer(text):
        value = m.group()
        expected = IBAN_LENGTHS.get(value[:2])
        if expected is None:
            out.append((m.start(), m.end(), SHADOW, _SHADOW_PRIORITY))
            continue
        # The pattern can run into a following all-caps word; cut at the country's registered length, which
        # must fall on a group boundary.
        count = 0
        cut = len(value)
        for index, char in enumerate(value):
            if char != " ":
                count += 1
                if count == expected:
                    cut = index + 1
                    break
        if (
            count >= expected
            and (cut == len(value) or value[cut] == " ")
            and iban_valid(value[:cut].replace(" ", ""))
        ):
            out.append((m.start(), m.start() + cut, IBAN_CODE, 90))
        else:
            out.append((m.start(), m.end(), SHADOW, _SHADOW_PRIORITY))


# --- IP addresses -----------------------------------------------------------------------------------------

# Four dot-separated groups of 1-3 digits, not part of a longer dotted run ("1.2.3.4.5" is a version string).
_IPV4_RE = re.compile(r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?![\w]|\.\d)")
# Candidates only: hex groups and colons (with an optional dotted IPv4 tail); ipaddress decides.
_IPV6_RE = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*(?![\w:])")


def _find_ip(text: str, out: list[Candidate]) -> None:
    if "." in text:
        for m in _IPV4_RE.finditer(text):
            # Octets up to 255, no leading zeros ("010" is octal to some parsers).
            if all(len(o) == 1 or (o[0] != "0" and int(o) <= 255) for o in m.group().split(".")):
                out.append((m.start(), m.end(), IP_ADDRESS, 50))
    if "::" in text or text.count(":") >= 7:
        for m in _IPV6_RE.finditer(text):
            value = m.group().rstrip(".")
            # Timestamps (14:22:05) and MAC addresses fail here: wrong group count and no "::".
            if value.count(":") < 2 or not any(c in "0123456789abcdefABCDEF" for c in value):
                continue
            try:
                ipaddress.IPv6Address(value)
            except ValueError:
                continue
            out.append((m.start(), m.start() + len(value), IP_ADDRESS, 50))


# --- US Social Security number ----------------------------------------------------------------------------

_SSN_RE = re.compile(
    r"\d(?<![\w\-]\d)\d{2}(?P<sep>[\- ])(?P<group>\d{2})(?P=sep)(?P<serial>\d{4})(?![\w]|-\d)"
)


def _find_ssn(text: str, out: list[Candidate]) -> None:
    for m in _SSN_RE.finditer(text):
        area = m.group()[:3]
        # Never assigned (SSA): area 000, 666 and 900-999, group 00, serial 0000.
        if area == "000" or area == "666" or area[0] == "9":
            continue
        if m.group("group") == "00" or m.group("serial") == "0000":
            continue
        out.append((m.start(), m.end(), US_SSN, 70))


# --- UK National Insurance number -------------------------------------------------------------------------

# First letter never D F I Q U V; second letter never D F I O Q U V; suffix A-D (HMRC NIM39110).
_NINO_RE = re.compile(
    r"[A-CEGHJ-PR-TW-Z](?<!\w[A-Z])[A-CEGHJ-NPR-TW-Z](?P<s>[ ]?)\d{2}(?P=s)\d{2}(?P=s)\d{2}(?P=s)[A-D]"
    r"(?!\w)"
)
# Prefixes HMRC never allocates (and the administrative ones it uses internally).
_NINO_BAD_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def _find_nino(text: str, out: list[Candidate]) -> None:
    for m in _NINO_RE.finditer(text):
        if m.group()[:2] not in _NINO_BAD_PREFIXES:
            out.append((m.start(), m.end(), UK_NINO, 70))


# --- UK NHS number ----------------------------------------------------------------------------------------

_NHS_RE = re.compile(r"\d(?<![\w\-]\d)\d{2}(?P<s>[ \-]?)\d{3}(?P=s)\d{4}(?![\w]|[ \-]\d)")


def _find_nhs(text: str, out: list[Candidate]) -> None:
    for m in _NHS_RE.finditer(text):
        value = m.group()
        if nhs_valid(value.replace(" ", "").replace("-", "")):
            out.append((m.start(), m.end(), UK_NHS, 80))


# --- Spanish NIF ------------------------------------------------------------------------------------------

_NIF_RE = re.compile(r"\d(?<![\w\-]\d)\d{7}-?[A-Z](?!\w)")


def _find_nif(text: str, out: list[Candidate]) -> None:
    for m in _NIF_RE.finditer(text):
        if es_nif_valid(m.group().replace("-", "")):
            out.append((m.start(), m.end(), ES_NIF, 80))


# --- Indian Aadhaar ---------------------------------------------------------------------------------------

_AADHAAR_RE = re.compile(r"[2-9](?<![\w\-][2-9])\d{3}(?P<s>[ \-]?)\d{4}(?P=s)\d{4}(?![\w]|[ \-]\d)")


def _find_aadhaar(text: str, out: list[Candidate]) -> None:
    for m in _AADHAAR_RE.finditer(text):
        value = m.group()
        if aadhaar_valid(value.replace(" ", "").replace("-", "")):
            out.append((m.start(), m.end(), IN_AADHAAR, 80))


# --- registry and resolution ------------------------------------------------------------------------------

_FINDERS: dict[str, Finder] = {
    EMAIL_ADDRESS: _find_email,
    PHONE_NUMBER: _find_phone,
    CREDIT_CARD: _find_card,
    IBAN_CODE: _find_iban,
    IP_ADDRESS: _find_ip,
    US_SSN: _find_ssn,
    UK_NINO: _find_nino,
    UK_NHS: _find_nhs,
    ES_NIF: _find_nif,
    IN_AADHAAR: _find_aadhaar,
}

ENTITY_TYPES: frozenset[str] = frozenset(_FINDERS)

_NHS_CONTEXT = ("nhs", "patient", "health", "gp ", "hospital", "clinic")


def _prefer_phone(text: str, start: int) -> bool:
    """For a span valid both as an NHS number and a NANP phone number: does the text call it a phone?"""
    before = text[max(0, start - 48) : start].lower()
    return any(w in before for w in _PHONE_LABELS) and not any(w in before for w in _NHS_CONTEXT)


def check_entity_types(entity_types: Iterable[str]) -> frozenset[str]:
    """Validate entity type names from a policy; unknown ones are a configuration error, never ignored."""
    requested = frozenset(entity_types)
    unknown = requested - ENTITY_TYPES
    if unknown:
        raise UnknownEntityType(f"unknown entity types: {', '.join(sorted(unknown))}")
    return requested


def detect(text: str, entity_types: Iterable[str] = ENTITY_TYPES) -> list[Span]:
    """Find the entities of the given types in ``text``; spans are sorted and never overlap."""
    candidates: list[Candidate] = []
    for entity_type in entity_types:
        finder = _FINDERS.get(entity_type)
        if finder is None:
            raise UnknownEntityType(f"unknown entity type: {entity_type}")
        finder(text, candidates)
    if not candidates:
        return []
    if len(candidates) == 1:
        start, end, entity_type, _ = candidates[0]
        return [Span(start, end, entity_type)] if entity_type else []
    # Longest span first, then priority; accept greedily what does not overlap an accepted span.
    candidates.sort(key=lambda c: (c[0] - c[1], -c[3], c[0]))
    accepted: list[Candidate] = []
    for cand in candidates:
        start, end = cand[0], cand[1]
        clash = None
        for other in accepted:
            if start < other[1] and other[0] < end:
                clash = other
                break
        if clash is None:
            accepted.append(cand)
        elif (clash[0], clash[1], clash[2], cand[2]) == (start, end, UK_NHS, PHONE_NUMBER) and _prefer_phone(
            text, start
        ):
            # The only same-span tie in practice; otherwise the checksum-validated type already won.
            accepted[accepted.index(clash)] = cand
    accepted.sort()
    return [Span(start, end, entity_type) for start, end, entity_type, _ in accepted if entity_type]
