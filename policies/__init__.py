"""Policy bundles compiled from the register and controls, approved, versioned and served to gateways."""
