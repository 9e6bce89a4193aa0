"""The main navigation. An entry shows only when its page exists and the user may open it: no dead links.

Later apps add their section here, in the order of DESIGN.md: Register, Risks, Controls, Evidence, Policies,
Objectives, Reports, Dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None


NAV_ITEMS: list[NavItem] = [
    NavItem("Home", "home"),
    NavItem("My work", "governance:my-work"),
    NavItem("Register", "registry:index", "registry.view_aisystem"),
    NavItem("Risks", "risks:index", "risks.view_risk"),
    NavItem("Controls", "controls:index", "controls.view_framework"),
    NavItem("Evidence", "evidence:index", "evidence.view_evidencesource"),
    NavItem("Policies", "policies:index", "policies.view_policybundle"),
    NavItem("Objectives", "governance:objective-list", "governance.view_objective"),
    NavItem("Reports", "reports:index", "reports.view_reportrun"),
    NavItem("Dashboard", "dashboard:index", "dashboard.view_dashboard"),
    NavItem("Organisation", "governance:organisation", "governance.view_organisationprofile"),
    NavItem("Decisions", "core:decision-list", "core.view_decision"),
    NavItem("Audit trail", "audit:event-list", "audit.view_auditevent"),
    NavItem("Personal data", "accounts:privacy", "accounts.manage_personal_data"),
]


def items_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    items = []
    for item in NAV_ITEMS:
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the section's issue has not landed yet
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
