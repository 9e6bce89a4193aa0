"""A register, a published bundle and control implementations to check evidence against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from controls import services as control_services
from controls.models import ControlImplementation, ImplementationRequirement, Requirement
from policies.models import PolicyBundle
from tests.controls.factories import ControlImplementationFactory
from tests.policies.factories import approved_model, published_bundle
from tests.registry.factories import UseCaseFactory

# Each implementation satisfies one Annex A control; the comment names the check metrics that control links to.
IMPLEMENTATIONS = {
    "CTL-ALLOW": "A.10.3",  # M-MODEL-EGRESS, M-MODEL-CONF
    "CTL-RED": "A.7.4",  # M-RED-COV
    "CTL-LOG": "A.6.2.8",  # M-LOG-CONT
    "CTL-POL": "A.4.4",  # M-POL-VER
    "CTL-USE": "A.9.3",  # M-RED-BYPASS, M-MODEL-EGRESS
}


@dataclass
class CheckWorld:
    bundle: PolicyBundle
    implementations: dict[str, ControlImplementation]


def check_world(requester: Any, approver: Any) -> CheckWorld:
    """support-chat requires redaction and may use gpt-4o-mini; code-assist needs none and may use gpt-4o."""
    control_services.load_frameworks()
    support = UseCaseFactory(key="support-chat", redaction_required=True, pii_policy={"EMAIL_ADDRESS": "mask"})
    code = UseCaseFactory(key="code-assist", redaction_required=False, pii_policy={})
    approved_model(support, gateway_name="gpt-4o-mini")
    approved_model(code, gateway_name="gpt-4o")
    bundle = published_bundle(requester, approver)
    implementations = {}
    for code_name, ref in IMPLEMENTATIONS.items():
        implementation = ControlImplementationFactory(code=code_name)
        ImplementationRequirement.objects.create(
            implementation=implementation, requirement=Requirement.objects.get(framework__slug="iso42001", ref=ref)
        )
        implementations[code_name] = implementation
    return CheckWorld(bundle, implementations)
