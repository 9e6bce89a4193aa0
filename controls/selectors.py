"""Reads of the control catalog, scoped by user (RestrictedQuerySet.restrict: no view permission, no rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from aims.accounts.models import User
from controls.choices import RequirementKind, RequirementStatus
from controls.models import (
    ControlImplementation,
    CrosswalkLink,
    EnforcementMetric,
    Framework,
    ImplementationRequirement,
    Requirement,
)


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
            Prefetch(
                "requirements",
                queryset=Requirement.objects.select_related("framework").order_by("framework__position", "position"),
            )
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
