"""Administrators manage accounts, roles, access expiry and role security policies here. Tokens and session
records are read-only; unlocking a login, resetting a person's two-factor device and ending their sessions are
actions on the account, each recorded in the audit trail."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from aims.accounts import services, two_factor
from aims.accounts.models import ApiToken, RoleSecurityPolicy, User, UserSession
from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.admin import ReadOnlyAdminMixin
from aims.core.exceptions import ServiceError


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Access", {"fields": ("access_expires_on",)}))
    list_display = ["username", "email", "first_name", "last_name", "is_active", "access_expires_on"]
    list_filter = [*BaseUserAdmin.list_filter, "access_expires_on"]
    actions = ["unlock_login", "reset_two_factor", "end_sessions"]

    @admin.action(description="Unlock login (lift a lockout after failed logins)", permissions=["change"])
    def unlock_login(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        total = sum(services.unlock(username=u.username, by=request.user, request=request) for u in queryset)
        self.message_user(request, f"Lockouts lifted ({total} attempt record(s) removed).")

    @admin.action(description="Reset two-factor authentication (lost device)", permissions=["change"])
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            try:
                two_factor.reset(user=user, by=request.user, request=request)
            except ServiceError as exc:
                self.message_user(request, exc.message, level=messages.WARNING)
            else:
                self.message_user(request, f"Two-factor authentication of {user.username} reset.")

    @admin.action(description="End all sessions", permissions=["change"])
    def end_sessions(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            ended = services.end_all_sessions(user=user, reason="ended by an administrator")
            audit.record(
                AuditKind.LOGOUT,
                actor=request.user,
                request=request,
                subject=user,
                summary=f"All sessions of {user.username} ended by an administrator",
                details={"action": "sessions_ended", "count": ended},
            )
        self.message_user(request, "Sessions ended.")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "network", "created_at", "last_seen_at", "ended_at", "end_reason"]
    list_filter = ["ended_at"]
    exclude = ["key_hash"]


@admin.register(RoleSecurityPolicy)
class RoleSecurityPolicyAdmin(admin.ModelAdmin):
    """Requiring two-factor per role is a configuration change: every save and removal is audited."""

    list_display = ["group", "two_factor_required", "updated_at"]

    def save_model(self, request: HttpRequest, obj: RoleSecurityPolicy, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            AuditKind.CONFIG_CHANGE,
            actor=request.user,
            request=request,
            subject=obj,
            summary=f"Role security policy: {obj}",
            details={
                "action": "role_policy_saved",
                "role": obj.group.name,
                "two_factor_required": obj.two_factor_required,
            },
        )

    def delete_model(self, request: HttpRequest, obj: RoleSecurityPolicy) -> None:
        self._audit_removal(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoleSecurityPolicy]) -> None:
        self._audit_removal(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_removal(request: HttpRequest, policies: list[RoleSecurityPolicy]) -> None:
        for policy in policies:
            audit.record(
                AuditKind.CONFIG_CHANGE,
                actor=request.user,
                request=request,
                summary=f"Role security policy of {policy.group.name} removed",
                details={"action": "role_policy_removed", "role": policy.group.name},
            )


# django-axes' own admin lets an administrator delete attempt records, which lifts a lockout: audit that too.
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        self._audit(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        self._audit(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit(request: HttpRequest, attempts: list[AccessAttempt]) -> None:
        for attempt in attempts:
            audit.record(
                AuditKind.CONFIG_CHANGE,
                actor=request.user,
                request=request,
                summary=f"Login lockout lifted for account {attempt.username!r} and address {attempt.ip_address}"[
                    :300
                ],
                details={
                    "action": "lockout_lifted",
                    "username": attempt.username or "",
                    "ip_address": attempt.ip_address or "",
                    "attempts": attempt.failures_since_start,
                },
            )
