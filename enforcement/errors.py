"""Exceptions raised by the engine.

Messages name fields, rule ids and types, never request content: an exception is the most likely way for a
prompt to end up in a log, so none of them carries one.
"""

from __future__ import annotations

__all__ = ["BundleError", "EnforcementError", "HashKeyError", "UnknownEntityType"]


class EnforcementError(Exception):
    """Base class: the engine could not decide. Callers apply the use case's fail mode."""


class BundleError(EnforcementError, ValueError):
    """The bundle does not follow the format."""


class UnknownEntityType(BundleError):
    """A policy names an entity type that no recognizer produces."""


class HashKeyError(EnforcementError, ValueError):
    """The hash operator needs a deployment key of at least 16 bytes."""
