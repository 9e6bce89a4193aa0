"""Frameworks, requirements, crosswalk, control implementations and the Statement of Applicability."""
