"""The admin is read-only for governed records: every write goes through the services, so that decision rows
and history are always made (DESIGN.md, History)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from aims.core.models import Decision


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class GovernedAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """Admin for a governed model: browse it and its history, change nothing.

    simple-history's revert would write around the services; SIMPLE_HISTORY_REVERT_DISABLED turns it off and
    the change permissions above keep it off.
    """

    def revert_disabled(self, request: Any, obj: Any = None) -> bool:
        return True


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "subject_label", "subject_version", "status", "requested_by", "decided_by"]
    list_filter = ["kind", "status"]
    search_fields = ["subject_label"]
