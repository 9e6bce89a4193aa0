"""Reads of the control catalog, scoped by user (RestrictedQuerySet.restrict: no view permission, no rows)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from aims.accounts.models import User
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from controls.choices import ControlStatus, RequirementKind, RequirementStatus
from controls.models import (
    ControlCheckResult,
    ControlImplementation,
    CrosswalkLink,
    EnforcementMetric,
    Framework,
    ImplementationRequirement,
    Requirement,
    SoAEntry,
    SoAVersion,
)
from controls.status import FRESHNESS_WINDOW, ArtifactFact, ResultFact, control_status
from registry.models import UseCase


def frameworks_for(user: Any) -> QuerySet[Framework]:
    """Frameworks with how many active requirements and Annex A-style controls each holds."""
    active = Q(requirements__status=RequirementStatus.ACTIVE)
    return (
        Framework.objects.restrict(user, "view")
        .annotate(
            requirement_count=Count("requirements", filter=active),
            control_count=Count("requirements", filter=active & Q(requirements__kind=RequirementKind.CONTROL)),
        )
        .order_by("position", "slug")  # Meta.ordering is dropped from aggregate queries
    )


def requirements_for(user: Any) -> QuerySet[Requirement]:
    return Requirement.objects.restrict(user, "view").select_related("framework", "parent")


def links_for(user: Any) -> QuerySet[CrosswalkLink]:
    """Crosswalk links between requirements the user may also read (the link alone says too little)."""
    if not user.has_perm("controls.view_requirement"):
        return CrosswalkLink.objects.none()
    return CrosswalkLink.objects.restrict(user, "view").select_related(
        "from_requirement__framework", "to_requirement__framework"
    )


def framework_tree(framework: Framework, user: Any) -> list[Requirement]:
    """The framework's requirements in the order of its data, each with `depth` for indenting; parents first."""
    return list(
        requirements_for(user)
        .filter(framework=framework)
        .annotate(
            link_count=Count("links_out", filter=Q(links_out__withdrawn=False), distinct=True)
            + Count("links_in", filter=Q(links_in__withdrawn=False), distinct=True)
        )
        .order_by("position")
    )


@dataclass
class RequirementCrosswalk:
    """Both directions of the crosswalk for one requirement."""

    satisfies: list[CrosswalkLink]  # what this requirement helps satisfy elsewhere
    satisfied_by: list[CrosswalkLink]  # what helps satisfy this requirement


def crosswalk_of(requirement: Requirement, user: Any, *, include_withdrawn: bool = False) -> RequirementCrosswalk:
    links = links_for(user)
    if not include_withdrawn:
        links = links.filter(withdrawn=False)
    order = ["to_requirement__framework__position", "to_requirement__position", "reference"]
    back = ["from_requirement__framework__position", "from_requirement__position", "reference"]
    return RequirementCrosswalk(
        satisfies=list(links.filter(from_requirement=requirement).order_by(*order)),
        satisfied_by=list(links.filter(to_requirement=requirement).order_by(*back)),
    )


def metrics_of(requirement: Requirement, user: Any) -> list[EnforcementMetric]:
    return list(EnforcementMetric.objects.restrict(user, "view").filter(requirement_links__requirement=requirement))


def requirement_detail(user: Any) -> QuerySet[Requirement]:
    """Requirements with their children, for a detail page or the API's detail."""
    return requirements_for(user).prefetch_related(
        Prefetch("children", queryset=Requirement.objects.order_by("position"))
    )


def implementations_for(user: Any) -> QuerySet[ControlImplementation]:
    return (
        ControlImplementation.objects.restrict(user, "view")
        .select_related("owner")
        .prefetch_related(
            "ai_systems",
            Prefetch("use_cases", queryset=UseCase.objects.select_related("ai_system")),
            Prefetch(
                "requirements",
                queryset=Requirement.objects.select_related("framework").order_by("framework__position", "position"),
            ),
        )
    )


def implementations_of(requirement: Requirement, user: Any) -> list[ControlImplementation]:
    """The organisation's controls that satisfy this requirement."""
    return list(implementations_for(user).filter(requirement_links__requirement=requirement))


def owner_choices() -> QuerySet[User]:
    """People who can own a control: active accounts holding a role."""
    return User.objects.filter(is_active=True, groups__isnull=False).distinct().order_by("username")


def implementation_history(implementation: ControlImplementation) -> list[dict[str, Any]]:
    """Each change with who, when, why and a field-by-field diff; requirement pairings added or removed."""
    rows: list[dict[str, Any]] = []
    for record in implementation.history.select_related("history_user").order_by("-history_id"):
        previous = record.prev_record
        changes = []
        if previous is not None:
            changes = [{"field": c.field, "old": c.old, "new": c.new} for c in record.diff_against(previous).changes]
        rows.append({"record": record, "changes": changes, "date": record.history_date})
    pairings = ImplementationRequirement.history.filter(implementation_id=implementation.pk).select_related(
        "history_user"
    )
    for record in pairings:
        requirement = Requirement.objects.filter(pk=record.requirement_id).select_related("framework").first()
        verb = {"+": "added", "-": "removed"}.get(record.history_type, "changed")
        rows.append({"record": record, "pairing": f"{verb}: {requirement}", "date": record.history_date})
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows


# --- control status -------------------------------------------------------------------------------------------


@dataclass
class EvidenceFacts:
    """The dated facts the status function reads, per implementation id."""

    results: dict[int, list[ResultFact]] = field(default_factory=lambda: defaultdict(list))
    artifacts: dict[int, list[ArtifactFact]] = field(default_factory=lambda: defaultdict(list))

    def status(self, implementation_ids: list[int], *, applies: bool, now: datetime) -> ControlStatus:
        return control_status(
            applies=applies,
            results=[r for pk in implementation_ids for r in self.results.get(pk, [])],
            artifacts=[a for pk in implementation_ids for a in self.artifacts.get(pk, [])],
            now=now,
        )


def evidence_facts(implementation_ids: list[int] | None = None, *, now: datetime | None = None) -> EvidenceFacts:
    """Check results and manual evidence artifacts of these implementations (all when None).

    Results older than the window only need to be known to exist (they make a control stale, not operating),
    so one row per (implementation, metric) of them is read. Artifacts are read through the relation the
    evidence app declares on implementations (`evidence_artifacts`): controls does not import evidence.
    """
    now = now or timezone.now()
    since = now - FRESHNESS_WINDOW
    facts = EvidenceFacts()
    results = ControlCheckResult.objects.all()
    if implementation_ids is not None:
        results = results.filter(implementation_id__in=implementation_ids)
    for pk, metric, end, outcome in results.filter(period_end__gte=since).values_list(
        "implementation_id", "metric", "period_end", "outcome"
    ):
        facts.results[pk].append(ResultFact(pk, metric, end, outcome))
    for pk, metric in results.filter(period_end__lt=since).values_list("implementation_id", "metric").distinct():
        facts.results[pk].append(ResultFact(pk, metric, since - timedelta(seconds=1), "old"))
    links = ControlImplementation.evidence_artifacts.through.objects.all()
    if implementation_ids is not None:
        links = links.filter(controlimplementation_id__in=implementation_ids)
    for pk, effective, expires in links.values_list(
        "controlimplementation_id", "evidenceartifact__effective_on", "evidenceartifact__expires_on"
    ):
        facts.artifacts[pk].append(ArtifactFact(effective, expires))
    return facts


def implementation_status(implementation: ControlImplementation, *, now: datetime | None = None) -> ControlStatus:
    """The status of one implementation on its own (its control page); the SoA row adds whether it applies."""
    now = now or timezone.now()
    return evidence_facts([implementation.pk], now=now).status([implementation.pk], applies=True, now=now)


def check_results_of(implementation: ControlImplementation, user: Any) -> QuerySet[ControlCheckResult]:
    return ControlCheckResult.objects.restrict(user, "view").filter(implementation=implementation)


# --- Statement of Applicability -------------------------------------------------------------------------------


@dataclass
class SoARow:
    """A draft SoA row with what it is computed from: the implementations behind it and its control status."""

    entry: SoAEntry
    implementations: list[ControlImplementation]
    status: ControlStatus


def soa_entries_for(user: Any) -> QuerySet[SoAEntry]:
    return SoAEntry.objects.restrict(user, "view").select_related(
        "requirement__framework", "added_control__owner", "owner"
    )


def soa_rows(entries: QuerySet[SoAEntry] | list[SoAEntry], *, now: datetime | None = None) -> list[SoARow]:
    """Each row with its implementations (those satisfying the Annex A control, or the added control itself)
    and its status; evidence attached to an implementation counts for every requirement it satisfies."""
    now = now or timezone.now()
    entries = list(entries)
    by_requirement: dict[int, list[ControlImplementation]] = defaultdict(list)
    links = ImplementationRequirement.objects.filter(
        requirement_id__in=[e.requirement_id for e in entries if e.requirement_id]
    ).select_related("implementation")
    for link in links.order_by("implementation__code"):
        by_requirement[link.requirement_id].append(link.implementation)
    facts = evidence_facts(now=now)
    rows = []
    for entry in entries:
        if entry.requirement_id:
            implementations = by_requirement.get(entry.requirement_id, [])
        else:
            implementations = [entry.added_control]
        status = facts.status([i.pk for i in implementations], applies=entry.applies, now=now)
        rows.append(SoARow(entry, implementations, status))
    return rows


def soa_row_of_requirement(requirement: Requirement, user: Any) -> SoARow | None:
    entry = soa_entries_for(user).filter(requirement=requirement).first()
    return soa_rows([entry])[0] if entry else None


def soa_history(user: Any) -> QuerySet:
    """The draft's own history: every change of every row, newest first (apart from the approved versions)."""
    if not user.has_perm("controls.view_soaentry"):
        return SoAEntry.history.none()
    return SoAEntry.history.select_related("history_user").order_by("-history_date", "-history_id")


def soa_versions_for(user: Any) -> QuerySet[SoAVersion]:
    return SoAVersion.objects.restrict(user, "view").select_related(
        "decision__requested_by", "decision__decided_by", "requested_by"
    )


def pending_soa_decision(user: Any) -> Decision | None:
    if not user.has_perm("controls.view_soaversion"):
        return None
    return (
        Decision.objects.filter(kind=DecisionKind.SOA_VERSION, status=DecisionStatus.PENDING)
        .select_related("requested_by", "soa_version")
        .first()
    )


def version_in_force(user: Any, on: date) -> SoAVersion | None:
    """The approved version in force on a date: the last one approved by the end of that day (in the portal's
    time zone). Read from the decision row, so a version approved on /decisions/ counts at once."""
    end = timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))
    return (
        soa_versions_for(user)
        .approved()
        .filter(decision__decided_at__lt=end)
        .order_by("-decision__decided_at", "-pk")
        .first()
    )


@dataclass
class RowChange:
    key: str
    ref: str
    title: str
    fields: list[tuple[str, Any, Any]]  # (field, old, new)


@dataclass
class SoADiff:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[RowChange]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


DIFF_FIELDS = ("applies", "justification", "implementation_status", "owner", "implementations", "title")


def diff_rows(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> SoADiff:
    """What changed from one SoA (a version, or the draft) to another, row by row and field by field."""
    before = {row["key"]: row for row in old}
    after = {row["key"]: row for row in new}
    changed = []
    for key, row in after.items():
        if key in before:
            fields = [(f, before[key].get(f), row.get(f)) for f in DIFF_FIELDS if before[key].get(f) != row.get(f)]
            if fields:
                changed.append(RowChange(key, row["ref"], row["title"], fields))
    return SoADiff(
        added=[row for key, row in after.items() if key not in before],
        removed=[row for key, row in before.items() if key not in after],
        changed=changed,
    )
