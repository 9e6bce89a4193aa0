"""AI risk assessment and treatment, and AI system impact assessments (ISO/IEC 42001 6.1, 8.2 to 8.4, A.5)."""
