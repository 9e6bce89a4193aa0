"""LiteLLM proxy plugin: applies the AIMS policy bundle to each request and reports decision events.

`AimsGuardrail` is a LiteLLM `CustomGuardrail` (a plain class when LiteLLM is not installed, so the package
imports and tests without it). It pulls the approved bundle from the portal (ETag, 304, a local copy), decides
each request with `enforcement.engine.decide`, rewrites or blocks the messages, and records content-free
decision events in a durable local spool that `EventShipper` uploads to the portal's evidence endpoint.
See docs/litellm.md for the proxy configuration.
"""

from .client import BundleCache, EventShipper, PortalClient, heartbeat_event, open_node_spool
from .guardrail import AimsBlocked, AimsGuardrail
from .spool import Spool, SpoolLocked

__all__ = [
    "AimsBlocked",
    "AimsGuardrail",
    "BundleCache",
    "EventShipper",
    "PortalClient",
    "Spool",
    "SpoolLocked",
    "heartbeat_event",
    "open_node_spool",
]
