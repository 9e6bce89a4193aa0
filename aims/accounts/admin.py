"""Administrators manage accounts, roles and access expiry here; tokens are read-only (hashes only)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from aims.accounts.models import ApiToken, User
from aims.core.admin import ReadOnlyAdminMixin


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Access", {"fields": ("access_expires_on",)}))
    list_display = ["username", "email", "first_name", "last_name", "is_active", "access_expires_on"]
    list_filter = [*BaseUserAdmin.list_filter, "access_expires_on"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]
