"""LiteLLM proxy plugin: applies the AIMS policy bundle to each request and reports decision events.

`AimsGuardrail` is a LiteLLM `CustomGuardrail` (a plain class when LiteLLM is not installed, so the package
imports and tests without it). It pulls the approved bundle from the portal (ETag, 304), decides each request
with `enforcement.engine.decide`, rewrites or blocks the messages, and ships content-free decision events to
the portal's evidence endpoint. See README.md for the proxy configuration.
"""

from .client import BundleCache, EventShipper, PortalClient
from .guardrail import AimsBlocked, AimsGuardrail

__all__ = ["AimsBlocked", "AimsGuardrail", "BundleCache", "EventShipper", "PortalClient"]
