"""Evidence packs: one ZIP per period that an auditor verifies offline (DESIGN.md, Verification).

`build_pack` writes it (builder.py); `oscal.assessment_results` is the OSCAL part on its own; `bench.run`
measures building and verifying. The verifier shipped in every pack is verify_template.py, copied verbatim.
"""

from evidence.pack.builder import FORMAT, PackError, PackResult, build_pack

__all__ = ["FORMAT", "PackError", "PackResult", "build_pack"]
