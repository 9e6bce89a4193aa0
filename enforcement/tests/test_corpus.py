"""The labelled corpus and the accuracy targets: precision >= 0.98 and recall >= 0.95 per entity type."""

import ast
from collections import Counter
from pathlib import Path

from enforcement import corpus
from enforcement.recognizers import ENTITY_TYPES, detect


def predict(text: str) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.entity_type) for s in detect(text)]


def test_the_corpus_has_enough_positives_and_hard_negatives_per_type() -> None:
    samples = corpus.generate()
    positives = Counter(s.entity_type for s in samples if s.positive)
    negatives = Counter(s.entity_type for s in samples if not s.positive)
    assert set(positives) == set(ENTITY_TYPES) == set(corpus.ENTITY_TYPES)
    assert min(positives.values()) >= 50
    assert min(negatives.values()) >= 50
    assert all(len(s.labels) == 1 for s in samples if s.positive)
    assert all(s.labels == () for s in samples if not s.positive)


def test_the_corpus_is_deterministic_for_a_seed() -> None:
    assert corpus.generate(7) == corpus.generate(7)
    assert corpus.generate(7) != corpus.generate(8)


def test_the_corpus_does_not_reuse_the_recognizer_code() -> None:
    # Generated values must not be validated by the code under test, or a shared bug would cancel out.
    tree = ast.parse(Path(corpus.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not any(name and ("recognizers" in name or "checksums" in name) for name in imported)


def test_labels_point_at_the_entity_text() -> None:
    for sample in corpus.generate(per_type=10):
        for start, end, _ in sample.labels:
            assert sample.text[start:end].strip() == sample.text[start:end] != ""


def test_it_meets_precision_and_recall_targets_per_entity_type() -> None:
    for seed in (20240601, 1, 2):
        scores = corpus.score(corpus.generate(seed), predict)
        for entity_type, score in scores.items():
            assert score.precision >= 0.98, (seed, entity_type, score)
            assert score.recall >= 0.95, (seed, entity_type, score)


def test_documents_carry_labels_that_match_their_text() -> None:
    text, labels = corpus.document(3, 4096)
    assert len(text) >= 4096
    assert labels
    scores = corpus.micro(corpus.score([corpus.Sample(text, labels, "mixed", True)], predict))
    assert scores.precision >= 0.98 and scores.recall >= 0.95
