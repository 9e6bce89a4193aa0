"""Models of the evidence app, one module per concern."""

from evidence.models.artifacts import ArtifactFile, EvidenceArtifact
from evidence.models.store import (
    SOURCE_TOKEN_PREFIX,
    ZERO_HASH,
    ChainHead,
    DedupeKey,
    Event,
    EvidenceSource,
    IngestBatch,
    SourceDay,
    SourceNode,
    SourceToken,
)

__all__ = [
    "SOURCE_TOKEN_PREFIX",
    "ZERO_HASH",
    "ArtifactFile",
    "ChainHead",
    "DedupeKey",
    "Event",
    "EvidenceArtifact",
    "EvidenceSource",
    "IngestBatch",
    "SourceDay",
    "SourceNode",
    "SourceToken",
]
