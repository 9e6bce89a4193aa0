"""What a report kind is, and the helpers kinds share.

A kind is a `KindSpec`: its key (a `ReportKind` value), a title, the parameters it accepts, the permissions a
person needs to ask for it (those of the records it prints), a print template under templates/reports/pdf/,
and `build_context(params, user) -> dict`. The dict must be plain data (str, int, float, bool, None, lists and
dicts of them; dates are turned into ISO strings by the framework): its canonical JSON is hashed into the
report's document-control table, so the same data gives the same hash. It must say which sections it has
(`sections`: [{"id", "title"}]) for the table of contents; a section with no data says "none recorded".

A kind that produces something other than a PDF (the evidence pack, a ZIP) also has `assemble`, called with the
rendered PDF and the path to write the run's file to.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from aims.core.exceptions import ServiceError

Params = dict[str, Any]
Progress = Callable[[int], None]

# Parameters a kind may accept. Dates are ISO (YYYY-MM-DD); the framework validates and fills in defaults.
AS_OF = "as_of"
DATE_FROM = "date_from"
DATE_TO = "date_to"
SEED = "seed"
PERIOD = (DATE_FROM, DATE_TO)
PARAMETER_LABELS = {AS_OF: "As of", DATE_FROM: "From", DATE_TO: "To", SEED: "Sampling seed"}
DEFAULT_PERIOD_DAYS = 30
# A key of build_context's dict whose value goes to the template as `raw`, unhashed (objects, not data).
RAW = "_raw"


@dataclass(frozen=True)
class KindSpec:
    key: str
    title: str
    template: str
    build_context: Callable[[Params, Any], dict[str, Any]]
    description: str = ""
    params: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    # For kinds whose run file is not the PDF itself: assemble(params=, user=, summary_pdf=, out=, progress=).
    assemble: Callable[..., None] | None = None
    extension: str = "pdf"
    content_type: str = "application/pdf"
    default_period_days: int = DEFAULT_PERIOD_DAYS
    # The last day a period may end on, when it is not today (evidence packs: the last signed day).
    last_day: Callable[[], date] | None = None
    last_day_reason: str = ""

    def may_request(self, user: Any) -> bool:
        return bool(user and user.is_authenticated and user.has_perms(["reports.add_reportrun", *self.permissions]))


def max_period_days() -> int:
    return int(getattr(settings, "AIMS_EVIDENCE_RETENTION_DAYS", 400))


def _parse_date(name: str, raw: Any, errors: dict[str, list[str]]) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        errors.setdefault(name, []).append("Enter a date as YYYY-MM-DD.")
        return None


def validate_parameters(spec: KindSpec, raw: Params | None) -> Params:
    """The kind's parameters as ISO date strings, with defaults filled in; ServiceError naming each bad field."""
    raw = dict(raw or {})
    errors: dict[str, list[str]] = {}
    for name in sorted(set(raw) - set(spec.params)):
        if raw[name] not in (None, ""):
            errors[name] = [f"The {spec.key} report does not take this parameter."]
    today = timezone.localdate()
    out: Params = {}
    if AS_OF in spec.params:
        as_of = _parse_date(AS_OF, raw.get(AS_OF), errors) or today
        if as_of > today:
            errors.setdefault(AS_OF, []).append("The date cannot be in the future.")
        out[AS_OF] = as_of.isoformat()
    if DATE_FROM in spec.params:
        last_day = spec.last_day() if spec.last_day else today
        date_to = _parse_date(DATE_TO, raw.get(DATE_TO), errors) or last_day
        date_from = _parse_date(DATE_FROM, raw.get(DATE_FROM), errors) or date_to - timedelta(
            days=min(spec.default_period_days, max_period_days()) - 1
        )
        if date_to > today:
            errors.setdefault(DATE_TO, []).append("The period cannot end in the future.")
        elif date_to > last_day:
            errors.setdefault(DATE_TO, []).append(
                f"The period must end on or before {last_day}{spec.last_day_reason}."
            )
        if date_from > date_to:
            errors.setdefault(DATE_FROM, []).append("The period must start on or before its end.")
        elif (date_to - date_from).days + 1 > max_period_days():
            errors.setdefault(DATE_FROM, []).append(f"The period can be at most {max_period_days()} days.")
        out[DATE_FROM], out[DATE_TO] = date_from.isoformat(), date_to.isoformat()
    if SEED in spec.params and raw.get(SEED) not in (None, ""):
        try:
            seed = int(raw[SEED])
        except (TypeError, ValueError):
            seed = -1
        if not 0 <= seed < 2**53:
            errors.setdefault(SEED, []).append("Enter a whole number, 0 or more.")
        else:
            out[SEED] = seed
    elif SEED in spec.params:
        # Chosen now rather than by the pack writer, so the summary and the run's parameters both show it.
        out[SEED] = secrets.randbelow(2**31)
    if errors:
        raise ServiceError("Invalid report parameters.", fields={f"parameters.{k}": v for k, v in errors.items()})
    return out


def period_of(params: Params) -> tuple[date, date]:
    return date.fromisoformat(params[DATE_FROM]), date.fromisoformat(params[DATE_TO])


def period_bounds(params: Params) -> tuple[datetime, datetime]:
    """The period as aware datetimes: from the start of its first day to the start of the day after its last."""
    start, end = period_of(params)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, datetime.min.time()), tz),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time()), tz),
    )


def describe_period(params: Params) -> str:
    if DATE_FROM in params:
        return f"{params[DATE_FROM]} to {params[DATE_TO]}"
    if AS_OF in params:
        return f"As of {params[AS_OF]}"
    return "Current records at generation"


def jsonable(value: Any) -> Any:
    """Plain JSON data: dates and times as ISO strings, decimals as strings, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Path):
        return str(value)
    return str(value)


def when(value: datetime | None) -> str:
    """A time as people read it on paper, in the portal's time zone."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def username(user: Any) -> str:
    return user.get_username() if user is not None else ""


class SystemReader:
    """Who renders a report from the command line without --user: reads every record, like an administrator
    with every read right. It never reaches a view; only `manage.py render_report` and the benchmark use it."""

    is_authenticated = True
    is_active = True
    is_superuser = True
    pk = None

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return True

    def has_perms(self, perms: object, obj: object = None) -> bool:
        return True

    def get_username(self) -> str:
        return "manage.py (system)"

    def __str__(self) -> str:
        return self.get_username()
