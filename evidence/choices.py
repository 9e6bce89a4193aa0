"""States and vocabularies of the evidence contract (DESIGN.md, Evidence contract v1)."""

from django.db import models


class BatchStatus(models.TextChoices):
    PENDING = "pending", "Waiting for expansion"
    EXPANDED = "expanded", "Expanded into the chain"


class EventKind(models.TextChoices):
    DECISION = "decision", "Decision"
    HEARTBEAT = "heartbeat", "Heartbeat"


class Stage(models.TextChoices):
    PRE_CALL = "pre_call", "Pre-call"
    POST_CALL = "post_call", "Post-call"
    MODEL_ACCESS = "model_access", "Model access"
    AUTH = "auth", "Authentication"


class Outcome(models.TextChoices):
    ALLOW = "allow", "Allow"
    REDACT = "redact", "Redact"
    BLOCK = "block", "Block"
    ERROR = "error", "Error"


class FailMode(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Granularity(models.TextChoices):
    DAY = "day", "Day"
    HOUR = "hour", "Hour"
