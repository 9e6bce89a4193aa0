"""People, roles and personal API tokens."""
