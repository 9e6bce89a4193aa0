"""Choices of the AI system register. States and kinds are TextChoices, never bare strings."""

from django.db import models


class LifecycleStage(models.TextChoices):
    """ISO/IEC 42001 A.6 life-cycle stages (after ISO/IEC 22989's AI system life cycle)."""

    INCEPTION = "inception", "Inception"
    DESIGN = "design", "Design and development"
    VERIFICATION = "verification", "Verification and validation"
    DEPLOYMENT = "deployment", "Deployment"
    OPERATION = "operation", "Operation and monitoring"
    RETIREMENT = "retirement", "Retirement"


class AIRole(models.TextChoices):
    """The organisation's role for the system under the EU AI Act (Art. 3 operators)."""

    PROVIDER = "provider", "Provider"
    DEPLOYER = "deployer", "Deployer"
    PROVIDER_DEPLOYER = "provider_deployer", "Provider and deployer"
    IMPORTER = "importer", "Importer"
    DISTRIBUTOR = "distributor", "Distributor"
    AUTHORISED_REPRESENTATIVE = "authorised_representative", "Authorised representative"
    PRODUCT_MANUFACTURER = "product_manufacturer", "Product manufacturer"


class Deployment(models.TextChoices):
    ON_PREMISES = "on_premises", "On premises"
    PRIVATE_CLOUD = "private_cloud", "Private cloud"
    PUBLIC_CLOUD = "public_cloud", "Public cloud"
    VENDOR_SAAS = "vendor_saas", "Vendor SaaS / API"
    EMBEDDED = "embedded", "Embedded in a product"


class SystemStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    RETIRED = "retired", "Retired"


class HumanOversight(models.TextChoices):
    """How people oversee the system (ISO/IEC 42001 A.9.2, EU AI Act Art. 14)."""

    IN_THE_LOOP = "in_the_loop", "Human in the loop (approves each output)"
    ON_THE_LOOP = "on_the_loop", "Human on the loop (monitors, can intervene)"
    IN_COMMAND = "in_command", "Human in command (decides when and how to use it)"
    NONE = "none", "No human oversight"


class RiskTier(models.TextChoices):
    """EU AI Act risk tier as the classification questionnaire derives it."""

    UNCLASSIFIED = "unclassified", "Not classified yet"
    PROHIBITED = "prohibited", "Prohibited (Art. 5)"
    HIGH = "high", "High-risk (Art. 6)"
    LIMITED = "limited", "Limited risk (Art. 50 transparency)"
    MINIMAL = "minimal", "Minimal risk"


class DataCategory(models.TextChoices):
    """What kinds of data a use case processes (ISO/IEC 42001 A.7, GDPR Art. 4, 9 and 10)."""

    PERSONAL = "personal", "Personal data"
    SPECIAL = "special", "Special categories of personal data (GDPR Art. 9)"
    CRIMINAL = "criminal", "Criminal convictions and offences (GDPR Art. 10)"
    FINANCIAL = "financial", "Financial and account data"
    CHILDREN = "children", "Data about children"
    BIOMETRIC = "biometric", "Biometric data"
    CONFIDENTIAL = "confidential", "Confidential business information"
    PUBLIC = "public", "Public or anonymised data only"


# Personal data in the GDPR sense: any of these makes a use case process personal data.
PERSONAL_CATEGORIES = frozenset(
    {DataCategory.PERSONAL, DataCategory.SPECIAL, DataCategory.CRIMINAL, DataCategory.CHILDREN, DataCategory.BIOMETRIC}
)
SPECIAL_CATEGORIES = frozenset({DataCategory.SPECIAL, DataCategory.BIOMETRIC, DataCategory.CRIMINAL})


class PiiEntity(models.TextChoices):
    """Entity types the enforcement layer detects (enforcement/recognizers.py ENTITY_TYPES)."""

    EMAIL_ADDRESS = "EMAIL_ADDRESS", "E-mail address"
    PHONE_NUMBER = "PHONE_NUMBER", "Phone number"
    CREDIT_CARD = "CREDIT_CARD", "Credit card number"
    IBAN_CODE = "IBAN_CODE", "IBAN"
    IP_ADDRESS = "IP_ADDRESS", "IP address"
    US_SSN = "US_SSN", "US social security number"
    UK_NINO = "UK_NINO", "UK national insurance number"
    UK_NHS = "UK_NHS", "UK NHS number"
    ES_NIF = "ES_NIF", "Spanish NIF"
    IN_AADHAAR = "IN_AADHAAR", "Indian Aadhaar number"


class PiiOperator(models.TextChoices):
    """What the enforcement layer does with a detected entity (enforcement/operators.py OPERATORS)."""

    MASK = "mask", "Mask"
    REPLACE = "replace", "Replace with a placeholder"
    HASH = "hash", "Hash"
    BLOCK = "block", "Block the request"


class FailMode(models.TextChoices):
    """What a gateway does when the policy cannot be applied: refuse (closed) or let through (open)."""

    CLOSED = "closed", "Closed (refuse the request)"
    OPEN = "open", "Open (let the request through, record it)"


class ModelApprovalStatus(models.TextChoices):
    """A catalog model's approval, computed from its decision rows (never stored)."""

    NOT_REQUESTED = "not_requested", "Not requested"
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    CHANGED = "changed", "Changed since approval"
    REJECTED = "rejected", "Rejected"


class SupplierKind(models.TextChoices):
    MODEL_PROVIDER = "model_provider", "Model provider"
    CLOUD = "cloud", "Cloud and hosting"
    DATA = "data", "Data provider"
    SOFTWARE = "software", "Software and tooling"
    SERVICES = "services", "Professional services"


class AssessmentOutcome(models.TextChoices):
    """The result of a supplier assessment (ISO/IEC 42001 A.10.3)."""

    APPROVED = "approved", "Approved"
    CONDITIONAL = "conditional", "Approved with conditions"
    REJECTED = "rejected", "Rejected"
