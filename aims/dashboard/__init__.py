"""The dashboard: the management system at a glance, and each AI system's story (issue 11)."""
