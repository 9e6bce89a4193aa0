"""Template tags other apps' pages use to show risk information without importing the risks app's views.

The AI system page shows its impact assessment's state with one line:
    {% load risks_tags %}{% system_impact system %}
"""

from __future__ import annotations

from typing import Any

from django import template

from risks import selectors
from risks.models import EDIT_ALL

register = template.Library()


@register.inclusion_tag("risks/includes/system_impact.html", takes_context=True)
def system_impact(context: dict[str, Any], system: Any) -> dict[str, Any]:
    """The system's impact assessment, whether it is due for review and why (nothing without the permission)."""
    user = context["request"].user if "request" in context else context.get("user")
    impact = selectors.impact_status_of_system(system, user) if user is not None else None
    may_start = bool(
        user is not None
        and user.has_perm("risks.add_impactassessment")
        and (user.has_perm(EDIT_ALL) or system.owner_id == user.pk)
    )
    return {"impact": impact, "system": system, "may_start": may_start}
