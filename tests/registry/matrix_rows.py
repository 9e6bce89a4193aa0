"""Authorization matrix rows of the AI system register (tests/matrix.py explains the columns).

Every role holder reads the register. Officers edit everything; owners edit their own systems and use cases (a
second row on another person's system shows the refusal); the committee decides model approvals; auditors
read; outsiders get nothing.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.matrix import ROLE_HOLDERS, Row, allowed_for
from tests.registry.factories import (
    AISystemFactory,
    CatalogModelFactory,
    SupplierFactory,
    UseCaseFactory,
    pending_model_decision,
)

READERS = allowed_for(200, ROLE_HOLDERS)
OFFICER_AND_OWNER = {"officer": 200, "owner": 200}


def owners_system(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": AISystemFactory(owner=personas["owner"].user, name="Owner's system").pk}


def officers_system(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": AISystemFactory(owner=personas["officer"].user).pk}


def owners_use_case(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"key": UseCaseFactory(ai_system__owner=personas["owner"].user).key}


def officers_use_case(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"key": UseCaseFactory(ai_system__owner=personas["officer"].user).key}


def a_model(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": CatalogModelFactory().pk}


def a_pending_model(personas: dict[str, Persona]) -> dict[str, Any]:
    model = CatalogModelFactory()
    pending_model_decision(model, personas["officer2"].user)
    return {"pk": model.pk}


def a_supplier(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": SupplierFactory().pk}


def with_owners_system(personas: dict[str, Persona]) -> dict[str, Any]:
    owners_system(personas)
    return {}


NEW_SYSTEM = {
    "name": "Mortgage pricing",
    "purpose": "Prices mortgage offers.",
    "owner": "owner",
    "business_unit": "Retail Lending",
    "ai_role": "deployer",
    "deployment": "vendor_saas",
    "next_review_on": "2027-03-31",
    "human_oversight": "in_the_loop",
}
NEW_USE_CASE = {
    "key": "mortgage-pricing",
    "ai_system": "Owner's system",
    "name": "Mortgage pricing",
    "data_categories": ["personal", "financial"],
    "redaction_required": True,
    "pii_policy": {"IBAN_CODE": "hash"},
}
MINIMAL_ANSWERS = {"transparency_duties": ["50(1)"]}

ROWS: list[Row] = [
    # --- pages --------------------------------------------------------------------------------------------
    Row("registry:index", allowed=READERS),
    Row("registry:system-export", allowed=READERS),
    Row("registry:system-create", allowed={"officer": 200}),
    Row("registry:system-import", allowed={"officer": 200}),
    Row("registry:system-detail", kwargs=owners_system, allowed=READERS),
    Row("registry:system-history", kwargs=owners_system, allowed=READERS),
    Row("registry:system-edit", kwargs=owners_system, allowed=OFFICER_AND_OWNER),
    Row("registry:system-edit", kwargs=officers_system, allowed={"officer": 200}),
    Row("registry:system-classify", kwargs=owners_system, allowed=OFFICER_AND_OWNER),
    Row("registry:system-classify", kwargs=officers_system, allowed={"officer": 200}),
    Row("registry:usecase-create", kwargs=owners_system, allowed=OFFICER_AND_OWNER),
    Row("registry:usecase-create", kwargs=officers_system, allowed={"officer": 200}),
    Row("registry:usecase-list", allowed=READERS),
    Row("registry:usecase-export", allowed=READERS),
    Row("registry:usecase-import", allowed=OFFICER_AND_OWNER),
    Row("registry:usecase-detail", kwargs=owners_use_case, allowed=READERS),
    Row("registry:usecase-history", kwargs=owners_use_case, allowed=READERS),
    Row("registry:usecase-edit", kwargs=owners_use_case, allowed=OFFICER_AND_OWNER),
    Row("registry:usecase-edit", kwargs=officers_use_case, allowed={"officer": 200}),
    Row("registry:model-list", allowed=READERS),
    Row("registry:model-export", allowed=READERS),
    Row("registry:model-create", allowed=OFFICER_AND_OWNER),
    Row("registry:model-detail", kwargs=a_model, allowed=READERS),
    Row("registry:model-history", kwargs=a_model, allowed=READERS),
    Row("registry:model-edit", kwargs=a_model, allowed={"officer": 200}),
    Row(
        "registry:model-request-approval",
        method="post",
        kwargs=a_model,
        data={"note": "please"},
        allowed={"officer": 302},
    ),
    Row(
        "registry:model-decide",
        method="post",
        kwargs=a_pending_model,
        data={"decision": "approve", "rationale": "EU hosting"},
        allowed={"committee": 302},
    ),
    Row("registry:supplier-list", allowed=READERS),
    Row("registry:supplier-export", allowed=READERS),
    Row("registry:supplier-create", allowed={"officer": 200}),
    Row("registry:supplier-detail", kwargs=a_supplier, allowed=READERS),
    Row("registry:supplier-history", kwargs=a_supplier, allowed=READERS),
    Row("registry:supplier-edit", kwargs=a_supplier, allowed={"officer": 200}),
    Row("registry:assessment-create", kwargs=a_supplier, allowed={"officer": 200}),
    # --- API ----------------------------------------------------------------------------------------------
    Row("api:registry-ai-system-list", api=True, allowed=READERS),
    Row("api:registry-ai-system-list", api=True, method="post", data=NEW_SYSTEM, allowed={"officer": 201}),
    Row("api:registry-ai-system-detail", api=True, kwargs=owners_system, allowed=READERS),
    Row(
        "api:registry-ai-system-detail",
        api=True,
        method="patch",
        kwargs=owners_system,
        data={"business_unit": "Consumer Lending"},
        allowed=OFFICER_AND_OWNER,
    ),
    Row(
        "api:registry-ai-system-detail",
        api=True,
        method="patch",
        kwargs=officers_system,
        data={"business_unit": "Consumer Lending"},
        allowed={"officer": 200},
    ),
    Row(
        "api:registry-ai-system-classify",
        api=True,
        method="post",
        kwargs=owners_system,
        data=MINIMAL_ANSWERS,
        allowed=OFFICER_AND_OWNER,
    ),
    Row(
        "api:registry-ai-system-classify",
        api=True,
        method="post",
        kwargs=officers_system,
        data=MINIMAL_ANSWERS,
        allowed={"officer": 200},
    ),
    Row("api:registry-ai-system-history", api=True, kwargs=owners_system, allowed=READERS),
    Row("api:registry-use-case-history", api=True, kwargs=owners_use_case, allowed=READERS),
    Row("api:registry-model-history", api=True, kwargs=a_model, allowed=READERS),
    Row("api:registry-supplier-history", api=True, kwargs=a_supplier, allowed=READERS),
    Row("api:registry-use-case-list", api=True, allowed=READERS),
    Row(
        "api:registry-use-case-list",
        api=True,
        method="post",
        kwargs=with_owners_system,
        data=NEW_USE_CASE,
        allowed={"officer": 201, "owner": 201},
    ),
    Row("api:registry-use-case-detail", api=True, kwargs=owners_use_case, allowed=READERS),
    Row(
        "api:registry-use-case-detail",
        api=True,
        method="patch",
        kwargs=owners_use_case,
        data={"fail_mode": "open"},
        allowed=OFFICER_AND_OWNER,
    ),
    Row(
        "api:registry-use-case-detail",
        api=True,
        method="patch",
        kwargs=officers_use_case,
        data={"fail_mode": "open"},
        allowed={"officer": 200},
    ),
    Row("api:registry-model-list", api=True, allowed=READERS),
    Row(
        "api:registry-model-list",
        api=True,
        method="post",
        data={"provider": "Mistral", "gateway_name": "mistral-small-latest", "hosting_region": "EU (France)"},
        allowed={"officer": 201, "owner": 201},
    ),
    Row("api:registry-model-detail", api=True, kwargs=a_model, allowed=READERS),
    Row(
        "api:registry-model-detail",
        api=True,
        method="patch",
        kwargs=a_model,
        data={"description": "x"},
        allowed={"officer": 200},
    ),
    Row(
        "api:registry-model-request-approval",
        api=True,
        method="post",
        kwargs=a_model,
        data={"note": "please"},
        allowed={"officer": 201},
    ),
    Row(
        "api:registry-model-approve",
        api=True,
        method="post",
        kwargs=a_pending_model,
        data={"rationale": "EU hosting"},
        allowed={"committee": 200},
    ),
    Row(
        "api:registry-model-reject",
        api=True,
        method="post",
        kwargs=a_pending_model,
        data={"rationale": "US hosting"},
        allowed={"committee": 200},
    ),
    Row("api:registry-supplier-list", api=True, allowed=READERS),
    Row(
        "api:registry-supplier-list",
        api=True,
        method="post",
        data={"name": "Aleph Alpha", "kind": "model_provider", "country": "DE"},
        allowed={"officer": 201},
    ),
    Row("api:registry-supplier-detail", api=True, kwargs=a_supplier, allowed=READERS),
    Row(
        "api:registry-supplier-detail",
        api=True,
        method="patch",
        kwargs=a_supplier,
        data={"critical": True},
        allowed={"officer": 200},
    ),
    Row(
        "api:registry-supplier-assess",
        api=True,
        method="post",
        kwargs=a_supplier,
        data={"assessed_on": "2026-10-01", "outcome": "approved", "next_due": "2027-10-01"},
        allowed={"officer": 201},
    ),
]
