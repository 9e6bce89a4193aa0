"""Writes of the policies app: compiling a revision and asking for it to be published; deciding it.

Publication is four eyes (DESIGN.md): an officer requests it (a POLICY_BUNDLE decision row pinned to the
revision) and a committee member other than the requester approves it. The approval is the publication: from
then on `selectors.current_bundle()` serves that revision to gateways.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from aims.core import services as core_services
from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.exceptions import Conflict, NotAllowed, ServiceError
from aims.core.models import Decision
from enforcement.bundle import load_bundle, revision
from enforcement.errors import BundleError
from policies import compiler, selectors
from policies.models import PolicyBundle


def _require(user: Any, *perms: str, message: str) -> None:
    if not (user and user.is_authenticated and user.has_perms(perms)):
        raise NotAllowed(message)


def compile_draft() -> dict[str, Any]:
    """Compile the register as it is now and validate it exactly as a gateway will."""
    content = compiler.compile_bundle()
    try:
        load_bundle(content)
    except BundleError as exc:
        # The register validates each use case, so this means the register and the engine disagree.
        raise ServiceError(f"The compiled bundle is not valid: {exc}") from None
    return content


@transaction.atomic
def request_publication(*, user: Any, note: str = "") -> PolicyBundle:
    """Compile a new revision from the register and ask the committee to publish it."""
    _require(
        user,
        "policies.add_policybundle",
        "core.request_decision",
        message="You may not request the publication of a policy bundle.",
    )
    if selectors.pending_bundle() is not None:
        raise Conflict("A policy bundle is already awaiting approval; decide or withdraw it first.")
    content = compile_draft()
    current = selectors.current_bundle()
    if current is not None and compiler.comparable(current.content) == compiler.comparable(content):
        raise Conflict("The register has not changed since the current bundle was published.")
    bundle = PolicyBundle(
        name=content["bundle"],
        revision=revision(content),
        content=content,
        issued_at=timezone.now().replace(microsecond=0),
        created_by=user,
    )
    bundle.full_clean()
    bundle._history_user = user  # type: ignore[attr-defined]
    bundle._change_reason = "Compiled from the register for publication"  # type: ignore[attr-defined]
    bundle.save()
    core_services.request_decision(
        kind=DecisionKind.POLICY_BUNDLE, subject=bundle, version=bundle.revision, requested_by=user, note=note
    )
    return bundle


def pending_decision(bundle: PolicyBundle) -> Decision | None:
    return (
        Decision.objects.filter(
            kind=DecisionKind.POLICY_BUNDLE,
            subject_id=str(bundle.pk),
            subject_version=bundle.revision,
            status=DecisionStatus.PENDING,
        )
        .select_related("requested_by")
        .first()
    )


@transaction.atomic
def decide_publication(*, bundle: PolicyBundle, user: Any, approve: bool, rationale: str = "") -> Decision:
    """Approve (publish) or reject a pending revision, as someone other than its requester."""
    _require(user, "policies.view_policybundle", message="You may not decide policy bundles.")
    decision = pending_decision(bundle)
    if decision is None:
        raise Conflict("No publication of this bundle is pending.")
    return core_services.decide(decision=decision, user=user, approve=approve, rationale=rationale)
