from django.contrib import admin

from aims.audit.models import AuditEvent
from aims.core.admin import ReadOnlyAdminMixin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "kind", "actor_label", "summary", "ip_address"]
    list_filter = ["kind"]
    search_fields = ["summary", "actor_label"]
