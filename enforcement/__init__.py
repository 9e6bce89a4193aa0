"""AIMS policy engine: a pure-Python, stdlib-only package.

It takes an approved policy bundle, a use case, a model name and a text, and answers with a decision
(allow, redact or block), the redacted text, the reasons with their rule ids and a redaction record. The
decision record it builds is the operating evidence that the portal ingests (see ``events``).

It imports nothing from Django or the rest of the project, so a gateway (for example a LiteLLM proxy) can
install it on its own with ``pip install ./enforcement``.
"""

__version__ = "0.1.0"

# The engine name stamped on every redaction record, so evidence says which engine and version redacted.
ENGINE_NAME = f"aims-enforcement/{__version__}"

__all__ = ["ENGINE_NAME", "__version__"]
