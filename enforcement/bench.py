"""Benchmark: ``python -m enforcement.bench [--quick | --iterations N]``.

Prints ``name: value`` lines:
- ``decide`` latency percentiles on realistic 1 KB and 16 KB prompts from the synthetic corpus;
- precision, recall and F1 of the recognizers on the labelled corpus, overall and per entity type;
- the same for Presidio (AnalyzerEngine + AnonymizerEngine, pattern recognizers only, the no-op NLP engine so
  no spaCy model is loaded), on the same texts and entity types, and the speed ratio ``presidio_ratio``
  (Presidio's p50 over ours at 1 KB).

Presidio is optional: install ``enforcement/requirements-bench.txt`` for the comparison. Without it the
comparison is reported as skipped and the rest still runs. Scoring is exact span match for both sides;
``*_overlap_f1`` also reports a lenient variant (any overlap with a label of the same type) so that a
boundary convention difference does not decide the comparison on its own. Presidio's spans are scored after
resolving overlaps by score, as its anonymizer does (``presidio_raw_f1``: the analyzer's raw list).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import __version__, corpus
from .bundle import load_bundle
from .engine import decide
from .examples import benchmark_bundle
from .recognizers import detect

SIZES = {"1kb": 1024, "16kb": 16 * 1024}
# Presidio's predefined recognizers for our entity types (class names in presidio-analyzer 2.2.x).
PRESIDIO_RECOGNIZERS = {
    "EMAIL_ADDRESS": "EmailRecognizer",
    "PHONE_NUMBER": "PhoneRecognizer",
    "CREDIT_CARD": "CreditCardRecognizer",
    "IBAN_CODE": "IbanRecognizer",
    "IP_ADDRESS": "IpRecognizer",
    "US_SSN": "UsSsnRecognizer",
    "UK_NINO": "UkNinoRecognizer",
    "UK_NHS": "NhsRecognizer",
    "ES_NIF": "EsNifRecognizer",
    "IN_AADHAAR": "InAadhaarRecognizer",
}


def _percentiles(samples_ns: Sequence[int]) -> tuple[float, float]:
    ordered = sorted(samples_ns)
    p50 = statistics.median(ordered) / 1e6
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1e6
    return p50, p99


def _time(fn: Callable[[str], Any], text: str, iterations: int, warmup: int) -> tuple[float, float]:
    for _ in range(warmup):
        fn(text)
    samples: list[int] = []
    gc.collect()
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn(text)
        samples.append(time.perf_counter_ns() - start)
    return _percentiles(samples)


def _emit(name: str, value: object) -> None:
    if isinstance(value, float):
        value = f"{value:.4f}" if value < 100 else f"{value:.1f}"
    print(f"{name}: {value}", flush=True)


def _overlap_score(
    samples: Iterable[corpus.Sample], predict: Callable[[str], Iterable[corpus.Label]]
) -> corpus.Score:
    """Lenient pooled score: a prediction is correct if it overlaps a gold span of the same type."""
    total = corpus.Score()
    for sample in samples:
        gold = list(sample.labels)
        matched: set[int] = set()
        for start, end, kind in predict(sample.text):
            if kind not in corpus.ENTITY_TYPES:
                continue
            hit = next(
                (
                    i
                    for i, g in enumerate(gold)
                    if i not in matched and g[2] == kind and start < g[1] and g[0] < end
                ),
                None,
            )
            if hit is None:
                total.fp += 1
            else:
                matched.add(hit)
                total.tp += 1
        total.fn += len(gold) - len(matched)
    return total


def _report_accuracy(prefix: str, samples: list[corpus.Sample], predict: Callable[[str], Any]) -> float:
    scores = corpus.score(samples, predict)
    pooled = corpus.micro(scores)
    _emit(f"{prefix}_precision", pooled.precision)
    _emit(f"{prefix}_recall", pooled.recall)
    _emit(f"{prefix}_f1", pooled.f1)
    _emit(f"{prefix}_overlap_f1", _overlap_score(samples, predict).f1)
    for entity_type, s in scores.items():
        _emit(f"{prefix}_precision_{entity_type}", s.precision)
        _emit(f"{prefix}_recall_{entity_type}", s.recall)
        _emit(f"{prefix}_f1_{entity_type}", s.f1)
    return pooled.f1


Spans = Callable[[str], list[corpus.Label]]


def _presidio() -> tuple[Spans, Spans, Callable[[str], str], str] | str:
    """Build Presidio's analyzer and anonymizer, or return why the comparison is skipped."""
    try:
        import tldextract  # type: ignore[import-not-found]
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer import predefined_recognizers as predefined
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
        from presidio_anonymizer import AnonymizerEngine
        from presidio_anonymizer.entities import OperatorConfig
    except ImportError as exc:
        return f"skipped ({exc.name} not installed: pip install -r enforcement/requirements-bench.txt)"
    from importlib.metadata import version

    # Presidio's e-mail recognizer calls tldextract, which by default downloads the public suffix list.
    # Use the snapshot bundled with tldextract instead: the benchmark makes no network calls.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=())

    nlp_engine = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    nlp_engine.load()
    registry = RecognizerRegistry(supported_languages=["en"])
    for class_name in PRESIDIO_RECOGNIZERS.values():
        # Country recognizers default to their own language (ES_NIF: "es"); the corpus is English text.
        registry.add_recognizer(getattr(predefined, class_name)(supported_language="en"))
    analyzer = AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    entities = list(PRESIDIO_RECOGNIZERS)
    operators = {"DEFAULT": OperatorConfig("replace")}

    def raw_spans(text: str) -> list[corpus.Label]:
        return [
            (r.start, r.end, r.entity_type) for r in analyzer.analyze(text, language="en", entities=entities)
        ]

    def spans(text: str) -> list[corpus.Label]:
        # The analyzer returns overlapping results of different types; its anonymizer keeps the higher score.
        # Scoring after the same resolution is fairer to Presidio than scoring the raw list.
        results = analyzer.analyze(text, language="en", entities=entities)
        results.sort(key=lambda r: (-r.score, r.start - r.end))
        kept: list[corpus.Label] = []
        for r in results:
            if all(r.end <= k[0] or k[1] <= r.start for k in kept):
                kept.append((r.start, r.end, r.entity_type))
        return kept

    def redact(text: str) -> str:
        results = analyzer.analyze(text, language="en", entities=entities)
        return anonymizer.anonymize(text=text, analyzer_results=results, operators=operators).text

    return spans, raw_spans, redact, version("presidio-analyzer")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m enforcement.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for CI smoke tests")
    parser.add_argument("--iterations", type=int, default=None, help="timed decide calls per text size")
    parser.add_argument("--seed", type=int, default=20240601, help="corpus seed")
    parser.add_argument("--no-presidio", action="store_true", help="skip the Presidio comparison")
    args = parser.parse_args(argv)
    iterations = args.iterations or (50 if args.quick else 2000)
    presidio_iterations = max(5, iterations // 10)

    samples = corpus.generate(args.seed, per_type=60 if args.quick else 100)
    documents = {name: corpus.document(args.seed + size, size)[0] for name, size in SIZES.items()}
    bundle = load_bundle(benchmark_bundle())
    policy = bundle.use_cases["benchmark"]

    _emit("engine", f"aims-enforcement {__version__}")
    _emit("python", sys.version.split()[0])
    _emit("corpus_samples", len(samples))
    _emit("corpus_entity_types", len(corpus.ENTITY_TYPES))
    _emit("iterations", iterations)

    engine_p50: dict[str, float] = {}
    for name, text in documents.items():

        def run(t: str) -> object:
            return decide(bundle, use_case="benchmark", model="gpt-4o-mini", text=t)

        # 16 KB runs fewer iterations: it is 16 times the work and the percentiles settle just as well.
        count = iterations if name == "1kb" else max(20, iterations // 4)
        p50, p99 = _time(run, text, count, warmup=min(50, count))
        engine_p50[name] = p50
        _emit(f"decide_{name}_chars", len(text))
        _emit(f"decide_{name}_p50_ms", p50)
        _emit(f"decide_{name}_p99_ms", p99)

    def engine_spans(text: str) -> list[corpus.Label]:
        return [(s.start, s.end, s.entity_type) for s in detect(text, policy.entity_types)]

    engine_f1 = _report_accuracy("engine", samples, engine_spans)

    presidio = None if args.no_presidio else _presidio()
    if presidio is None or isinstance(presidio, str):
        _emit("presidio_comparison", presidio or "skipped (--no-presidio)")
        return 0
    presidio_spans, presidio_raw_spans, presidio_redact, presidio_version = presidio
    _emit("presidio_version", presidio_version)
    presidio_p50: dict[str, float] = {}
    for name, text in documents.items():
        count = presidio_iterations if name == "1kb" else max(5, presidio_iterations // 4)
        p50, p99 = _time(presidio_redact, text, count, warmup=3)
        presidio_p50[name] = p50
        _emit(f"presidio_{name}_p50_ms", p50)
        _emit(f"presidio_{name}_p99_ms", p99)
    presidio_f1 = _report_accuracy("presidio", samples, presidio_spans)
    _emit("presidio_raw_f1", corpus.micro(corpus.score(samples, presidio_raw_spans)).f1)
    _emit("presidio_ratio", presidio_p50["1kb"] / engine_p50["1kb"])
    _emit("presidio_ratio_16kb", presidio_p50["16kb"] / engine_p50["16kb"])
    _emit("f1_delta", engine_f1 - presidio_f1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
