"""Labelled synthetic corpus for measuring the recognizers (and Presidio on the same data).

No real personal data: names come from short lists of common given names and surnames combined at random,
and identifiers are generated numbers that satisfy (or deliberately fail) the public check-digit rules.
The check-digit arithmetic here is written again from the published rules, on purpose, and imports nothing
from the recognizers: a bug shared by generator and recognizer would otherwise cancel out and hide.

Every sample is one realistic sentence. A positive sample holds one entity and labels its exact span. A hard
negative holds a string that looks like an entity of its type but is not one (bad check digit, unassigned
range, order number, timestamp, version string...) and labels nothing. No sample contains an unlabelled
entity of any type, so any prediction outside a label is a false positive.

Scoring is span-level and exact: a prediction counts only if start, end and type all equal a label.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["ENTITY_TYPES", "Sample", "Score", "document", "generate", "score"]

ENTITY_TYPES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IBAN_CODE",
    "IP_ADDRESS",
    "US_SSN",
    "UK_NINO",
    "UK_NHS",
    "ES_NIF",
    "IN_AADHAAR",
)

Label = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Sample:
    """One sentence; ``labels`` holds the gold spans (empty for a hard negative)."""

    text: str
    labels: tuple[Label, ...]
    entity_type: str  # the type this sample was written to exercise
    positive: bool


# fmt: off
FIRST = ["Alice", "Bilal", "Chen", "Dana", "Emeka", "Farah", "Giulia", "Hiro", "Ines", "Jonas", "Kavya",
         "Liam", "Maya", "Nikos", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen",
         "Yusuf", "Zoe", "Amara", "Bruno", "Carmen", "Dmitri", "Elif"]
LAST = ["Abbott", "Barros", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ivanova",
        "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quintero", "Rossi",
        "Schmidt", "Tanaka", "Ueda", "Varga", "Walsh", "Xu", "Yilmaz", "Zielinski", "Oduya", "Brennan"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk", "northwind-traders.com",
           "contoso.io", "fabrikam.de", "acme-corp.eu", "widgets.example.fr", "uni.example.edu"]


# fmt: on


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _fill(rng: random.Random, template: str) -> str:
    """Fill the non-entity slots of a template ({name}, {n}) so sentences vary."""
    return template.replace("{name}", _name(rng)).replace("{n}", str(rng.randint(2, 48)))


def _sample(rng: random.Random, template: str, value: str, entity_type: str, positive: bool) -> Sample:
    text = _fill(rng, template)
    start = text.index("{v}")
    text = text.replace("{v}", value, 1)
    labels = ((start, start + len(value), entity_type),) if positive else ()
    return Sample(text, labels, entity_type, positive)


# --- check digits, from the published rules ---------------------------------------------------------------


def _luhn_digit(payload: str) -> str:
    """The digit that makes payload+digit pass Luhn."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these positions get doubled once the check digit is appended
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def _iban_check(country: str, bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(numeric) % 97:02d}"


def _nhs_check(nine: str) -> int:
    """Mod 11 check digit for an NHS number, or 10 (meaning: no valid number with this stem)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else check


_NIF = "TRWAGMYFPDXBNJZSQVHLCKE"

# fmt: off
_D = [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
      [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
      [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]]
_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]
# fmt: on
# Verhoeff's position permutations: row i is the base permutation applied i times. Derived here rather than
# copied as a table, so a typo in the recognizer's literal table cannot be repeated in the corpus.
_P = [list(range(10))]
for _ in range(7):
    _P.append([[1, 5, 7, 6, 2, 8, 3, 0, 9, 4][x] for x in _P[-1]])


def _verhoeff_digit(payload: str) -> str:
    c = 0
    for i, ch in enumerate(reversed(payload)):
        c = _D[c][_P[(i + 1) % 8][int(ch)]]
    return str(_INV[c])


def _wrong(rng: random.Random, right: str, alphabet: str = string.digits) -> str:
    return rng.choice([c for c in alphabet if c != right])


def _group(value: str, sizes: Iterable[int], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(value[i : i + size])
        i += size
    if i < len(value):
        parts.append(value[i:])
    return sep.join(p for p in parts if p)


# --- e-mail -----------------------------------------------------------------------------------------------

# fmt: off
EMAIL_POS = ["Please reply to {v} before Friday.", "{name} can be reached at {v} for the invoice.",
             "Send the signed contract to {v}.", "Contact: {v}", "CC {v} on the escalation, please.",
             "My personal address is {v}, use it for the refund.",
             "The login {v} was locked after {n} attempts.",
             "Forwarding this from {v}: see thread below.", "Her new e-mail ({v}) replaces the old one.",
             "Invite {v} to the kickoff call."]
EMAIL_NEG = ["The service binds to {v} on port 8080.", "Mention {v} in the release notes channel.",
             "Run npm install {v} to pin the dependency.", "The retina asset {v} is missing from the build.",
             "Log in over ssh as {v} and restart the worker.", "The form rejected {v} as malformed.",
             "Ticket {n} shows the placeholder {v} in the header.", "The template still says {v} literally."]
# fmt: on


def _email(rng: random.Random) -> str:
    first, last, dom = rng.choice(FIRST).lower(), rng.choice(LAST).lower(), rng.choice(DOMAINS)
    shape = rng.randrange(7)
    if shape == 0:
        return f"{first}.{last}@{dom}"
    if shape == 1:
        return f"{first[0]}{last}@{dom}"
    if shape == 2:
        return f"{first}_{last}{rng.randint(1, 99)}@{dom}"
    if shape == 3:
        return f"{first}+{rng.choice(['news', 'billing', 'test'])}@{dom}"
    if shape == 4:
        return f"{last}.{first}@{rng.choice(['eu', 'hr', 'ops'])}.{dom}"
    if shape == 5:
        return f"{first.capitalize()}.{last.capitalize()}@{dom.upper()}"
    return f"{first}-{last}@{dom}"


def _email_negative(rng: random.Random) -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(LAST).lower()
    shape = rng.randrange(8)
    if shape == 0:
        return f"{first}@localhost"
    if shape == 1:
        return f"{first}.{last}@@example.com"
    if shape == 2:
        return f"{first}.{last}@intranet"
    if shape == 3:
        return f"@{first}{last}"
    if shape == 4:
        return f"{first}..{last}@example.com"
    if shape == 5:
        return f"icon-{rng.randint(1, 40)}@2x.png"
    if shape == 6:
        return f"@{first}/{last}-utils@{rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    return f"{first}.{last}@example.c"


# --- phone numbers ----------------------------------------------------------------------------------------

# fmt: off
PHONE_POS = ["Call me on {v} after 6pm.", "You can reach the front desk at {v}.",
             "{name}'s mobile is {v}.", "Phone: {v}", "For urgent issues ring {v} any time.",
             "Please update my number to {v} in the CRM.", "The courier left a message from {v}.",
             "Our Berlin office line is {v}.", "Text {v} when you arrive.", "Tel. {v} (switchboard)"]
PHONE_NEG = ["The job started at {v} and ran for {n} minutes.", "Order {v} was shipped yesterday.",
             "Upgrade to version {v} before the audit.", "The ISBN is {v} for the second edition.",
             "Mail it to the 94107 office, box {v}.", "Total due: {v} EUR.", "Reference {v} appears twice.",
             "The build tag {v} failed the smoke test."]
# fmt: on
_NPAS = ["212", "213", "312", "415", "617", "646", "702", "718", "805", "917", "206", "303", "404", "512"]


def _nxx(rng: random.Random) -> str:
    return str(rng.randint(2, 9)) + _digits(rng, 2)


def _phone(rng: random.Random) -> str:
    d = lambda n: _digits(rng, n)  # noqa: E731 - local shorthand keeps the format table readable
    npa, nxx = rng.choice(_NPAS), _nxx(rng)
    formats: list[Callable[[], str]] = [
        lambda: f"+44 20 {rng.randint(7, 8)}{d(3)} {d(4)}",
        lambda: f"+44 7700 {d(6)}",
        lambda: f"+44 (0)20 {rng.randint(7, 8)}{d(3)} {d(4)}",
        lambda: f"+1 ({npa}) {nxx}-{d(4)}",
        lambda: f"+1 {npa}-{nxx}-{d(4)}",
        lambda: f"({npa}) {nxx}-{d(4)}",
        lambda: f"{npa}-{nxx}-{d(4)}",
        lambda: f"{npa}.{nxx}.{d(4)}",
        lambda: f"1-{npa}-{nxx}-{d(4)}",
        lambda: f"+49 30 {rng.randint(2, 9)}{d(7)}",
        lambda: f"+49 151 {rng.randint(2, 9)}{d(7)}",
        lambda: f"+33 1 {d(2)} {d(2)} {d(2)} {d(2)}",
        lambda: f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
        lambda: f"+91 9{d(4)} {d(5)}",
        lambda: f"+61 2 {rng.randint(8, 9)}{d(3)} {d(4)}",
        lambda: f"+81 3-{d(4)}-{d(4)}",
        lambda: f"+34 91{d(1)} {d(3)} {d(3)}",
        lambda: f"+353 1 {rng.randint(2, 9)}{d(2)} {d(4)}",
        lambda: f"+31 20 {rng.randint(2, 9)}{d(2)} {d(4)}",
        lambda: f"+55 11 9{d(4)}-{d(4)}",
        lambda: f"0044 20 {rng.randint(7, 8)}{d(3)} {d(4)}",
        lambda: f"020 {rng.randint(7, 8)}{d(3)} {d(4)}",
        lambda: f"07700 {d(6)}",
        lambda: f"0161 {rng.randint(2, 9)}{d(2)} {d(4)}",
        lambda: f"+1{npa}{nxx}{d(4)}",
        lambda: f"+4420{rng.randint(7, 8)}{d(7)}",
    ]
    return rng.choice(formats)()


def _clock(rng: random.Random) -> str:
    return f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"


def _not_nhs(rng: random.Random, make: Callable[[], str]) -> str:
    """Redraw a 10-digit negative that happens to be a valid NHS number: it would be an unlabelled entity."""
    while True:
        value = make()
        digits = "".join(c for c in value if c.isdigit())
        if len(digits) != 10 or _nhs_check(digits[:9]) != int(digits[9]):
            return value


def _phone_negative(rng: random.Random) -> str:
    d = lambda n: _digits(rng, n)  # noqa: E731
    formats: list[Callable[[], str]] = [
        lambda: f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} {_clock(rng)}",
        lambda: f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T{_clock(rng)}Z",
        lambda: f"ORD-2024-{d(6)}",
        lambda: f"v{rng.randint(2, 19)}.{rng.randint(0, 9)}.{rng.randint(1000, 9999)}",
        lambda: f"978-{rng.randint(0, 1)}-{d(2)}-{d(6)}-{rng.randint(0, 9)}",
        lambda: f"{rng.randint(1, 9)},{d(3)},{d(3)}.{d(2)}",
        lambda: f"+999 {d(4)} {d(4)}",
        lambda: f"+44 20 {d(2)}",
        lambda: _not_nhs(rng, lambda: f"1{d(2)}-{d(3)}-{d(4)}"),  # NANP area codes never start with 1
        lambda: f"0{d(2)}-{rng.randint(0, 1)}{d(2)}-{d(4)}".replace("-", "/", 1),
        lambda: f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/20{rng.randint(10, 29)}",
        lambda: f"build-{d(4)}-{d(3)}-rc{rng.randint(1, 5)}",
    ]
    return rng.choice(formats)()


# --- payment cards ----------------------------------------------------------------------------------------

# fmt: off
CARD_POS = ["Charge the deposit to card {v}, expiry 09/27.", "My Visa is {v}.", "Card number: {v}",
            "{name} paid with {v} on the terminal.", "Please refund {v}; the order was cancelled.",
            "The customer read out {v} over the phone.", "Corporate card {v} is the default.",
            "Use {v} for the hotel booking."]
CARD_NEG = ["Order number {v} is ready for pickup.", "Card {v} was declined as invalid.",
            "The tracking id {v} shows the parcel in transit.", "Event timestamp {v} in milliseconds.",
            "Invoice {v} covers both deliveries.", "The test fixture uses {v} as a dummy account."]
# fmt: on


def _card_number(rng: random.Random) -> tuple[str, str]:
    """A Luhn-valid number from a real issuer range, with its brand-typical grouping."""
    brand = rng.randrange(7)
    if brand == 0:
        body, groups = "4" + _digits(rng, 14), (4, 4, 4, 4)
    elif brand == 1:
        body, groups = str(rng.randint(51, 55)) + _digits(rng, 13), (4, 4, 4, 4)
    elif brand == 2:
        body, groups = str(rng.randint(2221, 2720)) + _digits(rng, 11), (4, 4, 4, 4)
    elif brand == 3:
        body, groups = rng.choice(["34", "37"]) + _digits(rng, 12), (4, 6, 5)
    elif brand == 4:
        body, groups = "6011" + _digits(rng, 11), (4, 4, 4, 4)
    elif brand == 5:
        body, groups = str(rng.randint(3528, 3589)) + _digits(rng, 11), (4, 4, 4, 4)
    else:
        body, groups = "36" + _digits(rng, 11), (4, 6, 4)
    return body + _luhn_digit(body), _group_sep(rng, groups)


def _group_sep(rng: random.Random, groups: tuple[int, ...]) -> str:
    return ",".join(map(str, groups)) + "|" + rng.choice([" ", " ", "-", ""])


def _format_grouped(number: str, spec: str) -> str:
    sizes, sep = spec.split("|")
    return number if not sep else _group(number, map(int, sizes.split(",")), sep)


def _card(rng: random.Random) -> str:
    number, spec = _card_number(rng)
    return _format_grouped(number, spec)


def _card_negative(rng: random.Random) -> str:
    shape = rng.randrange(4)
    if shape <= 1:  # right shape and issuer, wrong check digit
        number, spec = _card_number(rng)
        return _format_grouped(number[:-1] + _wrong(rng, number[-1]), spec)
    if shape == 2:  # millisecond timestamps: 13 digits starting with 1
        return "17" + _digits(rng, 11)
    return "1Z" + _digits(rng, 3) + rng.choice(["AA", "E0", "X2"]) + _digits(rng, 10)


# --- IBAN -------------------------------------------------------------------------------------------------

# fmt: off
IBAN_POS = ["Please wire the refund to {v}.", "IBAN: {v}", "{name}'s salary account is {v}.",
            "Beneficiary account {v}, reference INV-{n}.",
            "Update the supplier's IBAN to {v} from next month.",
            "The direct debit will be taken from {v}."]
IBAN_NEG = ["The transfer to {v} bounced: invalid IBAN.", "SWIFT/BIC {v} belongs to the correspondent bank.",
            "Product code {v} is out of stock.", "The typo in {v} was caught by the bank.",
            "Batch {v} was posted to the ledger."]
# fmt: on


def _bban(rng: random.Random, country: str) -> str:
    up = string.ascii_uppercase
    letters = lambda n: "".join(rng.choice(up) for _ in range(n))  # noqa: E731
    d = lambda n: _digits(rng, n)  # noqa: E731
    return {
        "GB": lambda: letters(4) + d(14),
        "DE": lambda: d(18),
        "FR": lambda: d(10) + d(11) + d(2),
        "ES": lambda: d(20),
        "NL": lambda: letters(4) + d(10),
        "IT": lambda: letters(1) + d(10) + d(12),
        "BE": lambda: d(12),
        "CH": lambda: d(5) + d(12),
        "IE": lambda: letters(4) + d(14),
        "PL": lambda: d(24),
        "AT": lambda: d(16),
        "PT": lambda: d(21),
        "NO": lambda: d(11),
        "SE": lambda: d(20),
    }[country]()


def _iban_compact(rng: random.Random) -> str:
    country = rng.choice(["GB", "DE", "FR", "ES", "NL", "IT", "BE", "CH", "IE", "PL", "AT", "PT", "NO", "SE"])
    bban = _bban(rng, country)
    return country + _iban_check(country, bban) + bban


def _iban_format(rng: random.Random, compact: str) -> str:
    return _group(compact, [4] * 9, " ") if rng.random() < 0.7 else compact


def _iban(rng: random.Random) -> str:
    return _iban_format(rng, _iban_compact(rng))


def _iban_negative(rng: random.Random) -> str:
    shape = rng.randrange(5)
    compact = _iban_compact(rng)
    if shape <= 1:  # one digit changed: mod 97 catches every single substitution
        i = rng.randrange(4, len(compact))
        while not compact[i].isdigit():
            i = rng.randrange(4, len(compact))
        return _iban_format(rng, compact[:i] + _wrong(rng, compact[i]) + compact[i + 1 :])
    if shape == 2:  # a character dropped: wrong length for the country
        return _iban_format(rng, compact[:-1])
    if shape == 3:
        return rng.choice(["DEUTDEFF", "NWBKGB2L", "BNPAFRPP", "COBADEFF", "INGBNL2A"]) + _digits(rng, 3)
    # Product codes: an unregistered country prefix and letter-digit groups.
    groups = ["".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(4)) for _ in range(4)]
    return rng.choice(["XQ", "ZZ", "QX"]) + _digits(rng, 2) + " " + " ".join(groups)


# --- IP addresses -----------------------------------------------------------------------------------------

# fmt: off
IP_POS = ["Blocked repeated logins from {v}.", "The VPN assigned {v} to {name}'s laptop.",
          "Requests from {v} exceeded the rate limit.", "Client IP: {v}", "Whitelist {v} on the firewall.",
          "The audit log shows {v} accessing the export."]
IP_NEG = ["Upgrade the agent to {v} tonight.", "The device MAC is {v}.", "The meeting is at {v} UTC.",
          "Section {v} of the manual covers this.", "The parser rejected {v} as an address.",
          "Screen ratio {v} is not supported."]
# fmt: on


def _ipv4(rng: random.Random) -> str:
    first = rng.choice([10, 172, 192, 203, 198, 81, 62, 145, 24, 100])
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def _hex4(rng: random.Random) -> str:
    return format(rng.randint(1, 0xFFFF), "x")


def _ip(rng: random.Random) -> str:
    shape = rng.randrange(6)
    if shape <= 2:
        return _ipv4(rng)
    if shape == 3:
        return ":".join(format(rng.randint(0, 0xFFFF), "04x") for _ in range(8))
    if shape == 4:
        return f"2001:db8:{_hex4(rng)}::{_hex4(rng)}:{_hex4(rng)}"
    return f"fe80::{_hex4(rng)}:{_hex4(rng)}:{_hex4(rng)}"


def _ip_negative(rng: random.Random) -> str:
    shape = rng.randrange(8)
    if shape == 0:
        return f"{rng.randint(256, 999)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}"
    if shape == 1:
        return ".".join(str(rng.randint(0, 20)) for _ in range(5))
    if shape == 2:
        return f"10.0.{rng.randint(19000, 22999)}.{rng.randint(1000, 4000)}"
    if shape == 3:
        return ":".join(f"{rng.randint(0, 255):02X}" for _ in range(6))
    if shape == 4:
        return f"{rng.randint(10, 23)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}"
    if shape == 5:
        return f"2001:db8::{_hex4(rng)}::{_hex4(rng)}"
    if shape == 6:
        return ":".join(_hex4(rng) for _ in range(9))
    return f"192.168.{rng.randint(0, 9):03d}.{rng.randint(10, 99):03d}"


# --- US SSN -----------------------------------------------------------------------------------------------

# fmt: off
SSN_POS = ["My SSN is {v}.", "Social Security number: {v}", "{name} listed {v} on the W-4 form.",
           "Verify {v} against the payroll record.", "The applicant's SSN ({v}) was entered twice."]
SSN_NEG = ["The SSN field held {v}, which the SSA never issues.", "Claim {v} was closed.",
           "Test record {v} is a placeholder.", "The sample form shows {v}."]
# fmt: on


def _ssn_parts(rng: random.Random) -> tuple[str, str, str]:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}", f"{rng.randint(1, 99):02d}", f"{rng.randint(1, 9999):04d}"


def _ssn(rng: random.Random) -> str:
    return rng.choice(["-", "-", "-", " "]).join(_ssn_parts(rng))


def _ssn_negative(rng: random.Random) -> str:
    area, group, serial = _ssn_parts(rng)
    shape = rng.randrange(6)
    if shape == 0:
        area = "000"
    elif shape == 1:
        area = "666"
    elif shape == 2:
        area = str(rng.randint(900, 999))
    elif shape == 3:
        group = "00"
    elif shape == 4:
        serial = "0000"
    else:
        serial = serial + str(rng.randint(0, 9))
    return f"{area}-{group}-{serial}"


# --- UK National Insurance number -------------------------------------------------------------------------

# fmt: off
NINO_POS = ["My National Insurance number is {v}.", "NI number: {v}", "{name}'s NINO is {v}.",
            "Payroll needs {v} before the first payslip.", "HMRC matched {v} to the employer record."]
NINO_NEG = ["The form rejected {v} as an NI number.", "Postcode {v} is outside the delivery area.",
            "Specimen number {v} appears in the guidance.", "Batch {v} was re-run."]
# fmt: on
_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def _nino_format(rng: random.Random, prefix: str, digits: str, suffix: str) -> str:
    if rng.random() < 0.6:
        return f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}"
    return f"{prefix}{digits}{suffix}"


def _nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        if prefix not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}:
            break
    return _nino_format(rng, prefix, _digits(rng, 6), rng.choice("ABCD"))


def _nino_negative(rng: random.Random) -> str:
    shape = rng.randrange(5)
    digits, suffix = _digits(rng, 6), rng.choice("ABCD")
    if shape == 0:
        prefix = rng.choice(["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"])
    elif shape == 1:
        prefix = rng.choice("DFIQUV") + rng.choice(_NINO_SECOND)
    elif shape == 2:
        prefix = rng.choice(_NINO_FIRST) + "O"
    elif shape == 3:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        suffix = rng.choice("EFGHJKMXYZ")
    else:
        outward = rng.choice(["SW1A", "EC1A", "M1", "B33"])
        return f"{outward} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTU')}"  # a postcode
    return _nino_format(rng, prefix, digits, suffix)


# --- UK NHS number ----------------------------------------------------------------------------------------

# fmt: off
NHS_POS = ["Patient NHS number {v} was admitted on ward {n}.", "NHS no: {v}",
           "{name}'s NHS number is {v}.", "Please quote NHS number {v} when booking.",
           "The GP surgery confirmed {v} for the referral.", "Hospital record for {v} updated."]
NHS_NEG = ["The NHS number {v} failed validation.", "Reference {v} was not found.",
           "Order {v} is on back-order.", "Account {v} is closed."]
# fmt: on


def _nhs_digits(rng: random.Random) -> str:
    while True:
        nine = str(rng.randint(4, 7)) + _digits(rng, 8)
        check = _nhs_check(nine)
        if check != 10:
            return nine + str(check)


def _nhs_format(rng: random.Random, digits: str) -> str:
    sep = rng.choice([" ", " ", " ", "", "-"])
    return _group(digits, (3, 3, 4), sep) if sep else digits


def _nhs(rng: random.Random) -> str:
    return _nhs_format(rng, _nhs_digits(rng))


def _nhs_negative(rng: random.Random) -> str:
    while True:
        nine = str(rng.randint(1, 9)) + _digits(rng, 8)
        check = _nhs_check(nine)
        if check == 10:  # no check digit can make this stem valid
            return _nhs_format(rng, nine + _digits(rng, 1))
        if rng.random() < 0.7:
            return _nhs_format(rng, nine + _wrong(rng, str(check)))


# --- Spanish NIF ------------------------------------------------------------------------------------------

# fmt: off
NIF_POS = ["Mi DNI es {v}.", "NIF: {v}", "{name} signed with NIF {v}.",
           "The invoice must show the client's NIF {v}.", "Tax id {v} was registered in Madrid."]
NIF_NEG = ["NIF {v} was rejected: control letter mismatch.", "Part number {v} is discontinued.",
           "The locker code {v} expired.", "Ticket {v} closed."]
# fmt: on


def _nif(rng: random.Random) -> str:
    number = rng.randint(1_000_000, 99_999_999)
    body = f"{number:08d}"
    return body + rng.choice(["", "", "", "-"]) + _NIF[number % 23]


def _nif_negative(rng: random.Random) -> str:
    number = rng.randint(1_000_000, 99_999_999)
    body = f"{number:08d}"
    shape = rng.randrange(3)
    if shape == 0:
        return body + _wrong(rng, _NIF[number % 23], _NIF)
    if shape == 1:
        return body + rng.choice("IOU")  # letters never used as control letters
    # A date with a letter suffix (a part number); redrawn in the rare case the letter happens to fit.
    while True:
        date = rng.randint(2018, 2025) * 10000 + rng.randint(1, 12) * 100 + rng.randint(1, 28)
        letter = rng.choice("ABC")
        if _NIF[date % 23] != letter:
            return f"{date}{letter}"


# --- Indian Aadhaar ---------------------------------------------------------------------------------------

# fmt: off
AADHAAR_POS = ["My Aadhaar number is {v}.", "Aadhaar: {v}", "{name} linked Aadhaar {v} to the account.",
               "The KYC form lists {v} as the UID.", "Verify UID {v} before disbursal."]
AADHAAR_NEG = ["Aadhaar {v} failed the checksum.", "Consignment {v} was delivered.",
               "Ledger entry {v} was reversed.", "Policy number {v} lapsed."]
# fmt: on


def _aadhaar_format(rng: random.Random, digits: str) -> str:
    sep = rng.choice([" ", " ", "", "-"])
    return _group(digits, (4, 4, 4), sep) if sep else digits


def _aadhaar(rng: random.Random) -> str:
    payload = str(rng.randint(2, 9)) + _digits(rng, 10)
    return _aadhaar_format(rng, payload + _verhoeff_digit(payload))


def _aadhaar_negative(rng: random.Random) -> str:
    if rng.random() < 0.75:
        payload = str(rng.randint(2, 9)) + _digits(rng, 10)
        return _aadhaar_format(rng, payload + _wrong(rng, _verhoeff_digit(payload)))
    # Aadhaar never starts with 0 or 1 ("00..." is left out: that reads as an international dial prefix).
    payload = rng.choice(["0", "1"]) + str(rng.randint(1, 9)) + _digits(rng, 9)
    return _aadhaar_format(rng, payload + _verhoeff_digit(payload))


Maker = Callable[[random.Random], str]
_KINDS: dict[str, tuple[list[str], Maker, list[str], Maker]] = {
    "EMAIL_ADDRESS": (EMAIL_POS, _email, EMAIL_NEG, _email_negative),
    "PHONE_NUMBER": (PHONE_POS, _phone, PHONE_NEG, _phone_negative),
    "CREDIT_CARD": (CARD_POS, _card, CARD_NEG, _card_negative),
    "IBAN_CODE": (IBAN_POS, _iban, IBAN_NEG, _iban_negative),
    "IP_ADDRESS": (IP_POS, _ip, IP_NEG, _ip_negative),
    "US_SSN": (SSN_POS, _ssn, SSN_NEG, _ssn_negative),
    "UK_NINO": (NINO_POS, _nino, NINO_NEG, _nino_negative),
    "UK_NHS": (NHS_POS, _nhs, NHS_NEG, _nhs_negative),
    "ES_NIF": (NIF_POS, _nif, NIF_NEG, _nif_negative),
    "IN_AADHAAR": (AADHAAR_POS, _aadhaar, AADHAAR_NEG, _aadhaar_negative),
}


def generate(seed: int = 20240601, per_type: int = 80) -> list[Sample]:
    """``per_type`` positives and as many hard negatives for every entity type; deterministic for a seed."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for entity_type, (pos_templates, make, neg_templates, make_negative) in _KINDS.items():
        for _ in range(per_type):
            samples.append(_sample(rng, rng.choice(pos_templates), make(rng), entity_type, True))
        for _ in range(per_type):
            samples.append(_sample(rng, rng.choice(neg_templates), make_negative(rng), entity_type, False))
    return samples


FILLER = [
    "The quarterly review is scheduled for next Tuesday in the main conference room.",
    "Summarise the attached meeting notes in three bullet points for the leadership team.",
    "We migrated the billing service last sprint and the error rate dropped noticeably.",
    "Draft a polite reply declining the vendor's proposal but keeping the door open.",
    "The onboarding checklist still mentions the old laptop policy; please revise it.",
    "Customer satisfaction rose after we shortened the response time for support tickets.",
]


def document(seed: int, size: int) -> tuple[str, tuple[Label, ...]]:
    """A realistic prompt of about ``size`` characters mixing filler, entities and hard negatives."""
    rng = random.Random(seed)
    samples = generate(seed, per_type=max(8, size // 400))
    rng.shuffle(samples)
    parts: list[str] = []
    labels: list[Label] = []
    length = 0
    index = 0
    while length < size:
        if rng.random() < 0.5:
            sentence, sentence_labels = rng.choice(FILLER), ()
        else:
            sample = samples[index % len(samples)]
            index += 1
            sentence, sentence_labels = sample.text, sample.labels
        offset = length + (1 if parts else 0)
        labels.extend((start + offset, end + offset, kind) for start, end, kind in sentence_labels)
        parts.append(sentence)
        length = offset + len(sentence)
    return " ".join(parts), tuple(labels)


@dataclass(slots=True)
class Score:
    """Span-level counts for one entity type (exact match on start, end and type)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score(
    samples: Iterable[Sample],
    predict: Callable[[str], Iterable[Label]],
    entity_types: Iterable[str] = ENTITY_TYPES,
) -> dict[str, Score]:
    """Score a predictor ``text -> [(start, end, type)]`` per entity type (other types are ignored)."""
    types = tuple(entity_types)
    scores = {t: Score() for t in types}
    for sample in samples:
        gold = {label for label in sample.labels if label[2] in scores}
        predicted = {p for p in predict(sample.text) if p[2] in scores}
        for label in predicted & gold:
            scores[label[2]].tp += 1
        for label in predicted - gold:
            scores[label[2]].fp += 1
        for label in gold - predicted:
            scores[label[2]].fn += 1
    return scores


def micro(scores: dict[str, Score]) -> Score:
    """All entity types pooled."""
    total = Score()
    for s in scores.values():
        total.tp += s.tp
        total.fp += s.fp
        total.fn += s.fn
    return total
