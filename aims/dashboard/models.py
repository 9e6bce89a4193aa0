"""The dashboard has no data of its own: it reads every other app's records and the evidence rollups.

`DashboardAccess` exists only to carry the dashboard's permissions (a Django permission needs a content type),
so the role model can grant them like any other (aims/dashboard/roles.py).
"""

from __future__ import annotations

from django.db import models


class DashboardAccess(models.Model):
    """Who may read the management system's performance at a glance (ISO/IEC 42001 9.1 monitoring, 9.3 inputs
    to management review) and the per-AI-system story pages. No table: `managed = False`, never queried."""

    class Meta:
        managed = False
        default_permissions = ()
        ordering: list[str] = []
        permissions = [
            ("view_dashboard", "Can view the dashboard and every AI system's page"),
            ("view_own_system_pages", "Can view the dashboard page of the AI systems they own"),
        ]

    def __str__(self) -> str:
        return "Dashboard access"
