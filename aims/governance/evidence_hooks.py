"""A failing automated control check raises a nonconformity (ISO/IEC 42001 10.2), registered with the evidence
app's after-check hook from `GovernanceConfig.ready()`: evidence sits below aims and may not import it.

At most one open nonconformity per check and control implementation: while one is open (not yet closed after
its effectiveness review), later failures of the same check on the same control add nothing, so a check failing
every day does not bury the officer in copies.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from aims.governance.choices import NonconformitySource, NonconformityStatus
from aims.governance.models import Nonconformity
from controls.models import ControlCheckResult


def title_for(check_name: str, implementation_code: str) -> str:
    return f"Automated check {check_name} failing on {implementation_code}"[:200]


@transaction.atomic
def raise_nonconformity_for_failed_check(result: ControlCheckResult, check_name: str) -> Nonconformity | None:
    """Open a nonconformity for the failing result's control, unless one for this check is still open."""
    implementation = result.implementation
    title = title_for(check_name, implementation.code)
    already_open = (
        Nonconformity.objects.select_for_update()
        .filter(source=NonconformitySource.CONTROL, control_reference=implementation.code[:50], title=title)
        .exclude(status=NonconformityStatus.CLOSED)
        .exists()
    )
    if already_open:
        return None
    detail = getattr(result, "detail", "")
    nonconformity = Nonconformity(
        title=title,
        description=(
            f"The automated check {check_name} ({result.metric}) failed for {implementation.code} "
            f"{implementation.name}: value {result.value.normalize()} against target {result.target} over "
            f"{result.period_start:%Y-%m-%d %H:%M} to {result.period_end:%Y-%m-%d %H:%M} UTC."
            + (f" {detail}." if detail else "")
            + " Raised automatically from the control check results; later failures of the same check are on the"
            " control's page."
        ),
        source=NonconformitySource.CONTROL,
        control_reference=implementation.code[:50],
        owner=implementation.owner,
        raised_on=timezone.localdate(),
    )
    nonconformity.full_clean()
    nonconformity._history_user = None  # type: ignore[attr-defined]  raised by the system, not a person
    nonconformity._change_reason = f"Raised by automated check {check_name}"[:100]  # type: ignore[attr-defined]
    nonconformity.save()
    return nonconformity
