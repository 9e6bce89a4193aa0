"""The dashboard's single read path: `dashboard_context()` for the dashboard, `system_context()` for an AI
system's page. The pages and the PDF reports (a `dashboard` report kind) both render what these return.

Speed (issue 11, item 3): enforcement figures come from the rollups only (`Rollup`, `RuleRollup`, `NodeGap`,
`SourceNode`, `SourceDay`), never from the event table, and every panel is a handful of grouped queries whose
size depends on the number of sources, use cases, models and days, not on the number of events. Each panel is
read through its own app's scoped querysets (`restrict(user, "view")`), so a person sees on the dashboard
exactly what the list pages behind it would show them; a panel the user may not read is None.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.dashboard import charts
from aims.dashboard.forms import Period
from aims.dashboard.roles import VIEW, VIEW_OWN_SYSTEMS
from aims.governance.choices import ActionStatus, IncidentStatus, NonconformityStatus, ObjectiveStatus
from aims.governance.models import (
    CorrectiveAction,
    Document,
    Incident,
    ManagementReview,
    Nonconformity,
    Objective,
    ReviewAction,
)
from controls import selectors as control_selectors
from controls.choices import ControlStatus
from controls.models import ControlImplementation, Requirement
from evidence import selectors as evidence_selectors
from evidence.choices import Granularity, Outcome
from evidence.models import NodeGap, Rollup, RuleRollup
from registry.choices import SystemStatus
from registry.models import AISystem, CatalogModel, SupplierAssessment, UseCase
from risks import selectors as risk_selectors
from risks.choices import Acceptor, RiskLevel, RiskStatus
from risks.models import Risk, TreatmentAction

# Reviews and deadlines this close are shown as falling due.
HORIZON_DAYS = 30
# Lists on the dashboard show this many rows; the link behind each panel shows them all.
LIST_LIMIT = 8
TOP_RULES = 10
# The evidence explorer (another part of issue 11) is linked by path while its route may not exist yet.
EXPLORER_PATH = "/evidence/events/"


def _url(route: str, query: dict[str, Any] | None = None, **kwargs: Any) -> str:
    url = reverse(route, kwargs=kwargs or None)
    query = {k: v for k, v in (query or {}).items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def explorer_url(period: Period, **params: Any) -> str:
    """The evidence explorer (evidence.filtersets.EventFilterSet) filtered by source, decision, use case, model or
    rule, over the period's UTC days by occurrence time, the time the rollups count by."""
    try:
        path = reverse("evidence:event-list")
    except NoReverseMatch:
        path = EXPLORER_PATH
    query = {k: v for k, v in params.items() if v not in (None, "")}
    query.update({"period": "occurred", "date_from": period.start.isoformat(), "date_to": period.end.isoformat()})
    return f"{path}?{urlencode(query)}"


def _bounds(period: Period) -> tuple[datetime, datetime]:
    """The period's UTC day buckets: from the start's midnight up to (not including) the midnight after the end."""
    return (
        datetime.combine(period.start, time.min, tzinfo=UTC),
        datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _day_rollups(period: Period, use_cases: list[str] | None = None) -> QuerySet[Rollup]:
    start, end = _bounds(period)
    rows = Rollup.objects.filter(granularity=Granularity.DAY, bucket__gte=start, bucket__lt=end)
    if use_cases is not None:
        rows = rows.filter(use_case__in=use_cases)
    return rows


def cached_figures(parts: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """Organisation-wide figures computed from the rollups, kept for AIMS_DASHBOARD_CACHE_SECONDS (60 by default;
    0 turns the cache off). Only data that does not depend on who reads it goes through here.

    Time-based only: gateways report continuously, so a key that changed with every expansion would never be hit
    while traffic flows; figures up to a minute old are fine for a dashboard whose finest grain is a day, and the
    page says as of when they are."""
    ttl = int(getattr(settings, "AIMS_DASHBOARD_CACHE_SECONDS", 60))
    if ttl <= 0:
        return compute()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    key = f"dashboard:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, ttl)
    return value


# --- controls -------------------------------------------------------------------------------------------------


def _area_of(ref: str) -> str:
    """A.6.2.8 -> A.6: the Annex A area a control belongs to; added controls form an area of their own."""
    parts = ref.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and parts[0] == "A" else "Added"


def controls_panel(user: Any, now: datetime) -> dict[str, Any] | None:
    """The SoA's controls by Annex A area and status, and those needing attention (failing or stale)."""
    if not user.has_perm("controls.view_soaentry"):
        return None
    rows = control_selectors.soa_rows(control_selectors.soa_entries_for(user), now=now)
    areas: dict[str, dict[str, Any]] = {}
    totals: dict[str, int] = defaultdict(int)
    attention = []
    framework = None
    for row in rows:
        entry = row.entry
        if entry.requirement_id and framework is None:
            framework = entry.requirement.framework
        area = _area_of(entry.ref) if entry.requirement_id else "Added"
        bucket = areas.setdefault(area, {"ref": area, "title": "", "counts": defaultdict(int), "total": 0})
        bucket["counts"][row.status.value] += 1
        bucket["total"] += 1
        totals[row.status.value] += 1
        if row.status in (ControlStatus.FAILING, ControlStatus.STALE):
            attention.append(row)
    titles = {}
    if framework is not None:
        titles = dict(Requirement.objects.filter(framework=framework, ref__in=list(areas)).values_list("ref", "title"))
    soa_url = _url("controls:soa")
    ordered = []
    for ref, bucket in areas.items():
        bucket["title"] = titles.get(ref, "Controls the organisation added" if ref == "Added" else "")
        bucket["counts"] = dict(bucket["counts"])
        bucket["cells"] = [bucket["counts"].get(s.key, 0) for s in charts.STATUS_SERIES]
        bucket["url"] = (
            _url("controls:requirement-list", {"framework": framework.slug, "q": f"{ref}."})
            if framework is not None and ref != "Added"
            else _url("controls:implementation-list")
        )
        ordered.append(bucket)
    ordered.sort(key=lambda b: (b["ref"] == "Added", [int(p) if p.isdigit() else 0 for p in b["ref"][2:].split(".")]))
    chart = charts.stacked_bars(
        title="Controls by Annex A area and status",
        categories=[b["ref"] for b in ordered],
        series=charts.STATUS_SERIES,
        values={s.key: [b["counts"].get(s.key, 0) for b in ordered] for s in charts.STATUS_SERIES},
        id_prefix="dash-controls",
        link_for=lambda i, key: soa_url,
        label_every=1,
    )
    overall = charts.status_bar(
        title="All SoA controls by status",
        series=charts.STATUS_SERIES,
        counts=dict(totals),
        id_prefix="dash-controls-all",
        link_for=lambda key: soa_url,
    )
    return {
        "areas": ordered,
        "series": charts.STATUS_SERIES,
        "totals": [(s, totals.get(s.key, 0)) for s in charts.STATUS_SERIES],
        "total": sum(totals.values()),
        "attention": attention[:LIST_LIMIT],
        "attention_count": len(attention),
        "chart": chart,
        "overall_chart": overall,
        "url": soa_url,
    }


# --- risks ----------------------------------------------------------------------------------------------------


def appetite_levels(criteria: Any) -> list[str]:
    """Residual levels above the risk appetite: those the criteria in force do not let an owner accept alone
    (ISO/IEC 42001 6.1.2 d, 6.1.3 e: the committee must decide on them)."""
    return [str(b["level"]) for b in criteria.levels if b.get("acceptor") != Acceptor.OWNER.value]


def _risk_summary(user: Any, risks: QuerySet[Risk], today: date) -> dict[str, int]:
    """The counts the risks page shows (risks.selectors.summary), in two queries instead of five."""
    expired = Q(status=RiskStatus.ACCEPTED, accepted_until__lt=today)
    counts = risks.aggregate(
        open=Count("pk", filter=Q(status=RiskStatus.OPEN) | expired),
        pending=Count("pk", filter=Q(status=RiskStatus.ACCEPTANCE_PENDING)),
    )
    counts["overdue_actions"] = TreatmentAction.objects.restrict(user, "view").overdue(today).count()
    return counts


def risks_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_perm("risks.view_risk"):
        return None
    criteria = risk_selectors.criteria_in_force()
    risks = Risk.objects.restrict(user, "view")
    if criteria is None:
        return {"criteria": None, "url": _url("risks:index")}
    today = timezone.localdate()
    above_levels = appetite_levels(criteria)
    above = (
        risks.filter(level__in=above_levels)
        .exclude(status=RiskStatus.CLOSED)
        .exclude(status=RiskStatus.ACCEPTED, accepted_until__gte=today)
        .select_related("ai_system", "owner")
        .order_by("-residual_score", "id")
    )
    above_list = list(above[: LIST_LIMIT + 1])
    return {
        "criteria": criteria,
        "heatmaps": [
            risk_selectors.heatmap(risks, kind="inherent", criteria=criteria),
            risk_selectors.heatmap(risks, kind="residual", criteria=criteria),
        ],
        "above_levels": [
            {
                "level": level,
                "label": RiskLevel(level).label if level in RiskLevel.values else level,
                "url": _url("risks:index", {"level": level, "sort": "-residual_score"}),
            }
            for level in above_levels
        ],
        "above": above_list[:LIST_LIMIT],
        "above_count": above.count() if len(above_list) > LIST_LIMIT else len(above_list),
        "summary": _risk_summary(user, risks, today),
        "url": _url("risks:index"),
    }


# --- enforcement ----------------------------------------------------------------------------------------------


def approved_models_by_use_case(use_case_keys: list[str] | None = None) -> dict[str, set[str]]:
    """Gateway model names approved for each use case (the model allow-list the policy bundle is built from)."""
    rows = CatalogModel.objects.approved().values_list("use_cases__key", "gateway_name")
    if use_case_keys is not None:
        rows = rows.filter(use_cases__key__in=use_case_keys)
    allowed: dict[str, set[str]] = defaultdict(set)
    for key, name in rows:
        if key:
            allowed[key].add(name)
    return allowed


@dataclass
class Enforcement:
    """Enforcement figures of a period from the day rollups (all use cases, or those given)."""

    days: list[date]
    by_day: dict[str, list[int]]
    totals: dict[str, int]
    fail_open: int
    redaction_executed: int
    redactions: list[tuple[str, int]]
    top_rules: list[tuple[str, int]]
    unapproved: list[dict[str, Any]]
    by_use_case: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def unapproved_total(self) -> int:
        return sum(row["events"] for row in self.unapproved)

    @property
    def unapproved_allowed(self) -> int:
        return sum(row["allowed"] for row in self.unapproved)


def enforcement_figures(
    period: Period, use_cases: list[str] | None = None, *, allowed_models: dict[str, set[str]] | None = None
) -> Enforcement:
    """`allowed_models` (approved gateway names per use case) is read from the register unless given."""
    rows = _day_rollups(period, use_cases)
    days = [period.start + timedelta(days=i) for i in range(period.days)]
    index = {d: i for i, d in enumerate(days)}
    outcomes = [o.value for o in Outcome]
    by_day = {o: [0] * len(days) for o in outcomes}
    totals = dict.fromkeys(outcomes, 0)
    fail_open = redaction_executed = 0
    grouped = rows.values("bucket", "decision").annotate(
        n=Sum("events"), fo=Sum("fail_open"), red=Sum("redaction_executed")
    )
    for row in grouped.order_by():
        decision = row["decision"] if row["decision"] in by_day else Outcome.ERROR.value
        day = row["bucket"].astimezone(UTC).date()
        if day in index:
            by_day[decision][index[day]] += row["n"] or 0
        totals[decision] += row["n"] or 0
        fail_open += row["fo"] or 0
        redaction_executed += row["red"] or 0
    # Redactions by entity type live in a JSON map per row; only rows that redacted something carry one.
    redactions: dict[str, int] = defaultdict(int)
    # (order_by() drops Meta.ordering, whose ordering by source would join the sources table for nothing.)
    for counts in rows.exclude(redactions={}).order_by().values_list("redactions", flat=True):
        for entity, n in (counts or {}).items():
            redactions[entity] += int(n)
    start, end = _bounds(period)
    rules = RuleRollup.objects.filter(
        granularity=Granularity.DAY, bucket__gte=start, bucket__lt=end, decision=Outcome.BLOCK
    )
    if use_cases is not None:
        rules = rules.filter(use_case__in=use_cases)
    top_rules = [
        (r["rule_id"], r["n"])
        for r in rules.values("rule_id").annotate(n=Sum("events")).order_by("-n", "rule_id")[:TOP_RULES]
    ]
    # Requests for a model not on the use case's allow-list: blocked ones show the control working, allowed ones
    # (e.g. fail-open, or a stale bundle) show it failing.
    if allowed_models is None:
        allowed_models = approved_models_by_use_case(use_cases)
    unapproved: dict[tuple[str, str], dict[str, Any]] = {}
    by_use_case: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(outcomes, 0))
    for row in rows.values("use_case", "model", "decision").annotate(n=Sum("events")).order_by():
        key = row["use_case"]
        decision = row["decision"] if row["decision"] in totals else Outcome.ERROR.value
        by_use_case[key][decision] += row["n"] or 0
        if not key or not row["model"] or row["model"] in allowed_models.get(key, set()):
            continue
        item = unapproved.setdefault(
            (key, row["model"]), {"use_case": key, "model": row["model"], "events": 0, "blocked": 0, "allowed": 0}
        )
        item["events"] += row["n"] or 0
        if decision == Outcome.BLOCK:
            item["blocked"] += row["n"] or 0
        else:
            item["allowed"] += row["n"] or 0
    return Enforcement(
        days=days,
        by_day=by_day,
        totals=totals,
        fail_open=fail_open,
        redaction_executed=redaction_executed,
        redactions=sorted(redactions.items(), key=lambda kv: (-kv[1], kv[0])),
        top_rules=top_rules,
        unapproved=sorted(unapproved.values(), key=lambda r: (-r["events"], r["use_case"], r["model"])),
        by_use_case={k: dict(v) for k, v in by_use_case.items()},
    )


def enforcement_charts(figures: Enforcement, period: Period, prefix: str, **filters: Any) -> dict[str, str]:
    labels = [d.strftime("%m-%d") for d in figures.days]
    outcome_keys = {s.key for s in charts.OUTCOME_SERIES}

    def day_link(i: int, key: str) -> str | None:
        day = figures.days[i]
        one_day = Period(day, day)
        return explorer_url(one_day, decision=key if key in outcome_keys else None, **filters)

    return {
        "decisions": charts.stacked_bars(
            title="Decisions per day by outcome",
            categories=labels,
            series=charts.OUTCOME_SERIES,
            values=figures.by_day,
            id_prefix=f"{prefix}-decisions",
            link_for=day_link,
        ),
        "rules": charts.horizontal_bars(
            title="Top blocking rules",
            items=[
                (rule, n, explorer_url(period, decision="block", rule=rule, **filters))
                for rule, n in figures.top_rules
            ],
            id_prefix=f"{prefix}-rules",
            colour="#c0392b",
        ),
        "redactions": charts.horizontal_bars(
            title="Redactions by entity type",
            items=[(entity, n, None) for entity, n in figures.redactions],
            id_prefix=f"{prefix}-redactions",
        ),
    }


def enforcement_panel(user: Any, period: Period) -> dict[str, Any] | None:
    if not user.has_perm("evidence.view_event"):
        return None
    return cached_figures(("enforcement", period.start, period.end), lambda: _enforcement_panel(period))


def _enforcement_panel(period: Period) -> dict[str, Any]:
    figures = enforcement_figures(period)
    return {
        "figures": figures,
        "charts": enforcement_charts(figures, period, "dash"),
        "series": charts.OUTCOME_SERIES,
        "day_rows": [
            (d, [figures.by_day[s.key][i] for s in charts.OUTCOME_SERIES]) for i, d in enumerate(figures.days)
        ],
        "outcomes": [
            (s, figures.totals.get(s.key, 0), explorer_url(period, decision=s.key)) for s in charts.OUTCOME_SERIES
        ],
        "explorer_all": explorer_url(period),
    }


# --- evidence sources -----------------------------------------------------------------------------------------


def _checkpoint_states(source_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The latest signed checkpoint of each source and whether its signature and body verify.

    Only the signature and body are checked here (no recomputation from events: the dashboard never reads the
    event table); `manage.py verify_evidence` does the full check. Empty while checkpoints are not installed.
    """
    try:
        from evidence.checkpoints import recorded_public_keys, verify_checkpoint
        from evidence.models import Checkpoint
    except ImportError:
        return {}
    latest = Checkpoint.objects.filter(source_id__in=source_ids).values("source_id").annotate(day=Max("day"))
    condition = Q()
    for row in latest:
        condition |= Q(source_id=row["source_id"], day=row["day"])
    if not condition:
        return {}
    keys = recorded_public_keys()
    states = {}
    for checkpoint in Checkpoint.objects.filter(condition).select_related("source"):
        problems = verify_checkpoint(checkpoint, keys, recompute=False)
        states[checkpoint.source_id] = {"checkpoint": checkpoint, "verified": not problems, "problems": problems}
    return states


def sources_panel(user: Any, period: Period, now: datetime) -> dict[str, Any] | None:
    if not user.has_perm("evidence.view_evidencesource"):
        return None
    sources = list(evidence_selectors.sources_for(user))
    health = evidence_selectors.source_health(sources)
    ids = [s.pk for s in sources]
    start, end = _bounds(period)
    gaps = {
        row["source_id"]: row
        for row in NodeGap.objects.filter(source_id__in=ids, started_at__lt=end, ended_at__gte=start)
        .values("source_id")
        .annotate(n=Count("id"), seconds=Sum("seconds"), missing=Sum("missing"))
        .order_by()
    }
    checkpoints = _checkpoint_states(ids)
    rows = []
    for item in health:
        source = item.source
        gap = gaps.get(source.pk, {})
        silent = item.last_seen_at is None or (now - item.last_seen_at).total_seconds() > source.heartbeat_seconds
        rows.append(
            {
                "source": source,
                "last_seen_at": item.last_seen_at,
                "silent": silent,
                "events_today": item.events_today,
                "gaps": gap.get("n", 0),
                "gap_seconds": gap.get("seconds") or 0,
                "missing": gap.get("missing") or 0,
                "sequence_holes": item.sequence_holes,
                "checkpoint": checkpoints.get(source.pk),
                "url": _url("evidence:source-detail", name=source.name),
                "explorer": explorer_url(period, source=source.name),
            }
        )
    return {
        "rows": rows,
        "checkpoints_available": bool(checkpoints) or _checkpoints_installed(),
        "url": _url("evidence:index"),
    }


def _checkpoints_installed() -> bool:
    try:
        from evidence.checkpoints import verify_checkpoint  # noqa: F401
    except ImportError:
        return False
    return True


# --- objectives, incidents, nonconformities, reviews ----------------------------------------------------------


def objectives_panel(user: Any) -> dict[str, Any] | None:
    if not user.has_perm("governance.view_objective"):
        return None
    objectives = list(
        Objective.objects.restrict(user, "view")
        .exclude(status__in=[ObjectiveStatus.ACHIEVED, ObjectiveStatus.MISSED])
        .select_related("owner")
        .prefetch_related("kpis")
    )
    by_status: dict[str, int] = defaultdict(int)
    for objective in objectives:
        by_status[objective.status] += 1
    return {
        "objectives": objectives,
        "at_risk": by_status.get(ObjectiveStatus.AT_RISK, 0),
        "status_links": [
            (label, by_status.get(value, 0), _url("governance:objective-list", {"status": value}))
            for value, label in ObjectiveStatus.choices
            if value not in (ObjectiveStatus.ACHIEVED, ObjectiveStatus.MISSED)
        ],
        "url": _url("governance:objective-list"),
    }


def incidents_panel(user: Any, now: datetime) -> dict[str, Any] | None:
    if not user.has_perm("governance.view_incident"):
        return None
    incidents = list(
        Incident.objects.restrict(user, "view").exclude(status=IncidentStatus.CLOSED).order_by("-aware_at", "-id")
    )
    status_counts: dict[str, int] = defaultdict(int)
    rows = []
    for incident in incidents:
        status_counts[incident.status] += 1
        deadline = incident.deadline
        rows.append(
            {
                "incident": incident,
                "deadline": deadline,
                "time_left": incident.time_left(now),
                "overdue": bool(deadline and not incident.reported_to_authority_at and deadline.is_overdue(now)),
            }
        )
    # Unreported serious incidents first, by deadline: they are the ones the law counts down.
    rows.sort(
        key=lambda r: (
            r["deadline"] is None or bool(r["incident"].reported_to_authority_at),
            r["deadline"].due_at if r["deadline"] else now,
        )
    )
    return {
        "rows": rows[:LIST_LIMIT],
        "count": len(rows),
        "serious_unreported": sum(1 for r in rows if r["deadline"] and not r["incident"].reported_to_authority_at),
        "status_links": [
            (label, status_counts.get(value, 0), _url("governance:incident-list", {"status": value}))
            for value, label in IncidentStatus.choices
            if value != IncidentStatus.CLOSED
        ],
        "url": _url("governance:incident-list"),
    }


def nonconformities_panel(user: Any, today: date) -> dict[str, Any] | None:
    if not user.has_perm("governance.view_nonconformity"):
        return None
    open_ncs = Nonconformity.objects.restrict(user, "view").exclude(status=NonconformityStatus.CLOSED)
    counts = dict(open_ncs.values_list("status").annotate(n=Count("id")).order_by())
    overdue: list[dict[str, Any]] = []
    if user.has_perm("governance.view_correctiveaction"):
        for action in (
            CorrectiveAction.objects.restrict(user, "view")
            .filter(status=ActionStatus.OPEN, due_on__lt=today)
            .select_related("owner", "nonconformity")
            .order_by("due_on", "id")
        ):
            overdue.append(
                {
                    "kind": "Corrective action",
                    "action": action,
                    "parent": action.nonconformity,
                    "url": _url("governance:nonconformity-detail", pk=action.nonconformity_id),
                    "days": (today - action.due_on).days,
                }
            )
    if user.has_perm("governance.view_reviewaction"):
        for action in (
            ReviewAction.objects.restrict(user, "view")
            .filter(status=ActionStatus.OPEN, due_on__lt=today)
            .select_related("owner", "review")
            .order_by("due_on", "id")
        ):
            overdue.append(
                {
                    "kind": "Review action",
                    "action": action,
                    "parent": action.review,
                    "url": _url("governance:review-detail", pk=action.review_id),
                    "days": (today - action.due_on).days,
                }
            )
    overdue.sort(key=lambda r: -r["days"])
    return {
        "open": sum(counts.values()),
        "status_links": [
            (label, counts.get(value, 0), _url("governance:nonconformity-list", {"status": value}))
            for value, label in NonconformityStatus.choices
            if value != NonconformityStatus.CLOSED
        ],
        "overdue": overdue[:LIST_LIMIT],
        "overdue_count": len(overdue),
        "url": _url("governance:nonconformity-list"),
    }


def reviews_panel(user: Any, today: date) -> dict[str, Any] | None:
    """Reviews falling due within the horizon (or already overdue), per kind, each linked to its list."""
    horizon = today + timedelta(days=HORIZON_DAYS)
    groups: list[dict[str, Any]] = []

    def add(label: str, rows: list[tuple[str, date, str]], url: str) -> None:
        groups.append({"label": label, "rows": rows[:LIST_LIMIT], "count": len(rows), "url": url})

    if user.has_perm("governance.view_document"):
        docs = Document.objects.restrict(user, "view").filter(next_review_on__lte=horizon).order_by("next_review_on")
        add(
            "Documents",
            [(str(d), d.next_review_on, _url("governance:document-detail", pk=d.pk)) for d in docs],
            _url("governance:document-list"),
        )
    if user.has_perm("registry.view_aisystem"):
        systems = (
            AISystem.objects.restrict(user, "view")
            .filter(next_review_on__lte=horizon)
            .exclude(status=SystemStatus.RETIRED)
            .order_by("next_review_on")
        )
        add(
            "AI systems",
            [(s.name, s.next_review_on, _url("registry:system-detail", pk=s.pk)) for s in systems],
            _url("registry:index", {"review_due_before": horizon.isoformat(), "sort": "next_review_on"}),
        )
    if user.has_perm("risks.view_risk"):
        risks = (
            Risk.objects.restrict(user, "view")
            .filter(review_on__lte=horizon)
            .exclude(status=RiskStatus.CLOSED)
            .order_by("review_on", "id")
        )
        add(
            "Risks",
            [(str(r), r.review_on, _url("risks:risk-detail", pk=r.pk)) for r in risks],
            _url("risks:index", {"review_due_before": horizon.isoformat(), "sort": "review_on"}),
        )
    if user.has_perm("risks.view_impactassessment"):
        assessments = risk_selectors.impact_assessments_for(user).filter(next_review_on__lte=horizon)
        add(
            "Impact assessments",
            [(str(a.ai_system), a.next_review_on, _url("risks:ia-detail", pk=a.pk)) for a in assessments],
            _url("risks:ia-list", {"sort": "next_review_on"}),
        )
    if user.has_perm("registry.view_supplierassessment"):
        latest = SupplierAssessment.objects.restrict(user, "view").values("supplier_id").annotate(last=Max("id"))
        due = (
            SupplierAssessment.objects.filter(pk__in=[row["last"] for row in latest], next_due__lte=horizon)
            .select_related("supplier")
            .order_by("next_due")
        )
        add(
            "Supplier assessments",
            [(a.supplier.name, a.next_due, _url("registry:supplier-detail", pk=a.supplier_id)) for a in due],
            _url("registry:supplier-list"),
        )
    if user.has_perm("governance.view_managementreview"):
        upcoming = (
            ManagementReview.objects.restrict(user, "view")
            .filter(held_on__gte=today, held_on__lte=horizon)
            .order_by("held_on")
        )
        add(
            "Management reviews",
            [(r.title, r.held_on, _url("governance:review-detail", pk=r.pk)) for r in upcoming],
            _url("governance:review-list"),
        )
    if not groups:
        return None
    return {"groups": groups, "horizon": horizon, "today": today}


# --- AI systems -----------------------------------------------------------------------------------------------


def systems_for(user: Any) -> QuerySet[AISystem]:
    """The AI systems whose dashboard page this user may open: all for dashboard readers, owners their own.

    The register lets every role holder *view* every system; the story page shows live enforcement figures and
    control status, so owners see it for the systems they answer for: the register's own "change" scope
    (owner == user unless the user edits every system).
    """
    if user.has_perm(VIEW):
        return AISystem.objects.restrict(user, "view")
    if user.has_perm(VIEW_OWN_SYSTEMS):
        return AISystem.objects.restrict(user, "change")
    return AISystem.objects.none()


def systems_panel(user: Any) -> list[dict[str, Any]]:
    return [
        {"system": s, "url": _url("dashboard:system", pk=s.pk)}
        for s in systems_for(user).select_related("owner").order_by("name")
    ]


def dashboard_context(user: Any, period_start: date, period_end: date) -> dict[str, Any]:
    """Everything the dashboard shows for this user and period (inclusive UTC days); panels the user may not
    read are None. The single read path of the dashboard page and of the `dashboard` PDF report."""
    period = Period(period_start, period_end)
    now = timezone.now()
    today = timezone.localdate()
    return {
        "period": period,
        "generated_at": now,
        "controls": controls_panel(user, now),
        "risks": risks_panel(user),
        "enforcement": enforcement_panel(user, period),
        "sources": sources_panel(user, period, now),
        "objectives": objectives_panel(user),
        "incidents": incidents_panel(user, now),
        "nonconformities": nonconformities_panel(user, today),
        "reviews": reviews_panel(user, today),
        "systems": systems_panel(user),
    }


def _system_controls(system: AISystem, use_cases: list[UseCase], now: datetime) -> list[dict[str, Any]]:
    implementations = list(
        ControlImplementation.objects.filter(Q(ai_systems=system) | Q(use_cases__in=use_cases))
        .distinct()
        .prefetch_related("requirements")
        .order_by("code")
    )
    facts = control_selectors.evidence_facts([i.pk for i in implementations], now=now)
    return [
        {
            "implementation": i,
            "status": facts.status([i.pk], applies=True, now=now),
            "requirements": [r.ref for r in i.requirements.all()],
        }
        for i in implementations
    ]


def _last_seen_by_use_case(period: Period, keys: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Which sources reported each use case in the period, and the latest hour (or day) they did so."""
    start, end = _bounds(period)
    rows = (
        Rollup.objects.filter(use_case__in=keys, bucket__gte=start, bucket__lt=end)
        .values("use_case", "source__name")
        .annotate(last=Max("bucket"))
        .order_by("use_case", "source__name")
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        out[row["use_case"]].append({"source": row["source__name"], "last": row["last"]})
    return out


def system_context(user: Any, system: AISystem, period_start: date, period_end: date) -> dict[str, Any]:
    """An AI system's story: tier and why, use cases and approved models, risks, impact assessment, controls
    and their status, and its live enforcement figures per use case over the period (from rollups)."""
    period = Period(period_start, period_end)
    now = timezone.now()
    use_cases = list(UseCase.objects.filter(ai_system=system).order_by("key"))
    keys = [uc.key for uc in use_cases]
    approved = approved_models_by_use_case(keys)
    context: dict[str, Any] = {
        "period": period,
        "generated_at": now,
        "system": system,
        "rationale": [line for line in system.classification_rationale.splitlines() if line.strip()],
        "use_cases": use_cases,
        "impact": risk_selectors.impact_status_of_system(system, user),
        "risks": None,
        "controls": _system_controls(system, use_cases, now)
        if user.has_perm("controls.view_controlimplementation")
        else None,
        "enforcement": None,
    }
    if user.has_perm("risks.view_risk"):
        context["risks"] = list(
            Risk.objects.filter(ai_system=system).select_related("owner").order_by("-residual_score", "id")
        )
        context["risks_url"] = _url("risks:index", {"ai_system": system.pk})
    if user.has_perm("evidence.view_event"):
        figures = cached_figures(
            (
                "system",
                period.start,
                period.end,
                tuple(keys),
                tuple(sorted((k, tuple(sorted(v))) for k, v in approved.items())),
            ),
            lambda: enforcement_figures(period, keys, allowed_models=approved),
        )
        last_seen = _last_seen_by_use_case(period, keys)
        unapproved_by_uc: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in figures.unapproved:
            unapproved_by_uc[row["use_case"]].append(row)
        per_use_case = []
        for uc in use_cases:
            counts = figures.by_use_case.get(uc.key, {})
            per_use_case.append(
                {
                    "use_case": uc,
                    "approved_models": sorted(approved.get(uc.key, set())),
                    "outcomes": [(s, counts.get(s.key, 0)) for s in charts.OUTCOME_SERIES],
                    "total": sum(counts.values()),
                    "unapproved": unapproved_by_uc.get(uc.key, []),
                    "unapproved_blocked": sum(r["blocked"] for r in unapproved_by_uc.get(uc.key, [])),
                    "unapproved_allowed": sum(r["allowed"] for r in unapproved_by_uc.get(uc.key, [])),
                    "sources": last_seen.get(uc.key, []),
                    "explorer": explorer_url(period, use_case=uc.key),
                }
            )
        context["enforcement"] = {
            "figures": figures,
            "charts": enforcement_charts(figures, period, f"system-{system.pk}"),
            "per_use_case": per_use_case,
            "series": charts.OUTCOME_SERIES,
        }
    context["use_case_rows"] = [{"use_case": uc, "models": sorted(approved.get(uc.key, set()))} for uc in use_cases]
    return context
