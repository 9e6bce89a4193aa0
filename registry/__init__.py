"""The AI system register: AI systems, use cases, model catalog, suppliers, EU AI Act classification."""
