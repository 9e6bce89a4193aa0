"""Live evidence from the enforcement layer: sources, ingestion, the hash-chained append-only event store."""
