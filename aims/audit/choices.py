"""What the audit trail records."""

from django.db import models


class AuditKind(models.TextChoices):
    LOGIN = "login", "Login"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOGOUT = "logout", "Logout"
    TOKEN_USED = "token_used", "Token used"
    DOWNLOAD = "download", "Download"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"
    DECISION = "decision", "Decision made"
    ROLE_CHANGE = "role_change", "Role change"
    CONFIG_CHANGE = "config_change", "Configuration change"
