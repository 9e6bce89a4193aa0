"""Errors raised by services. Views and the API map them to a message or to the one error shape."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule of the management system refused an operation; `code` and `status` feed the error shape."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotAllowed(ServiceError):
    code = "permission_denied"
    status = 403


class FourEyesViolation(NotAllowed):
    """The person who asked for a decision tried to make it."""

    code = "four_eyes"


class Conflict(ServiceError):
    """The subject is not in a state that allows the operation (already decided, already pending, ...)."""

    code = "conflict"
    status = 409
