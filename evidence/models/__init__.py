"""Models of the evidence app, one module per concern."""

from evidence.models.artifacts import ArtifactFile, EvidenceArtifact
from evidence.models.checkpoints import Checkpoint, CheckpointPush, PushStatus, SigningKey
from evidence.models.rollups import LATENCY_BOUNDS_MS, NodeGap, Rollup, RuleRollup
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
    "LATENCY_BOUNDS_MS",
    "SOURCE_TOKEN_PREFIX",
    "ZERO_HASH",
    "ArtifactFile",
    "ChainHead",
    "Checkpoint",
    "CheckpointPush",
    "DedupeKey",
    "Event",
    "EvidenceArtifact",
    "EvidenceSource",
    "IngestBatch",
    "NodeGap",
    "PushStatus",
    "Rollup",
    "RuleRollup",
    "SigningKey",
    "SourceDay",
    "SourceNode",
    "SourceToken",
]
