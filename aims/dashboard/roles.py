"""Who reads the dashboard (issue 11).

Officers and the committee run the management system from it; auditors read it too, within their access window
(expired auditors are refused by the middleware). Owners do not get the organisation-wide dashboard, but they
see the dashboard page of each AI system they own (`view_own_system_pages`, narrowed to owner == user by the
selectors).
"""

from aims.accounts.choices import Role

VIEW = "dashboard.view_dashboard"
VIEW_OWN_SYSTEMS = "dashboard.view_own_system_pages"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [VIEW],
    Role.COMMITTEE: [VIEW],
    Role.AUDITOR: [VIEW],
    Role.OWNER: [VIEW_OWN_SYSTEMS],
}
