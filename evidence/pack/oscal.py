"""Control status and check results of a period as an OSCAL assessment-results document (issue 10, item 5).

NIST OSCAL 1.1 assessment results, built with compliance-trestle's models so every document is valid by
construction. One result covers the period; its observations are the facts (each check result, each manual
evidence artifact in force, and each source's signed event log), and its findings are one per applicable
Annex A control (and per control the organisation added): satisfied when the portal's status rule says the
control operates at the end of the period, not satisfied otherwise (failing, stale or not evidenced), with the
observations the finding rests on. Controls that do not apply are excluded from the reviewed controls.

Identifiers are stable (UUID 5 of the portal's own keys), so two exports of the same period can be diffed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from trestle.oscal import OSCAL_VERSION, common
from trestle.oscal import assessment_results as ar

from controls.choices import CheckOutcome, ControlStatus
from evidence.models import Checkpoint, SigningKey
from evidence.pack import controls_export

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:aims-portal:oscal")
PROP_NS = "https://aims.local/ns/oscal"


def _id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _prop(name: str, value: object) -> common.Property:
    return common.Property(name=name, value=str(value) if str(value) else "-", ns=PROP_NS)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _state(status: ControlStatus) -> tuple[str, str]:
    if status == ControlStatus.OPERATING:
        return "satisfied", "pass"
    if status == ControlStatus.FAILING:
        return "not-satisfied", "fail"
    return "not-satisfied", "other"


def _result_observation(record: controls_export.ControlRecord, result: Any) -> common.Observation:
    implementation = result.implementation
    return common.Observation(
        uuid=_id("check-result", result.pk),
        title=f"{implementation.code} {result.metric}: {result.outcome}",
        description=(
            f"Check {result.source} measured {result.metric} = {result.value} against target {result.target} over "
            f"{result.period_start:%Y-%m-%d %H:%M} to {result.period_end:%Y-%m-%d %H:%M} UTC: {result.outcome}."
        ),
        methods=["TEST"] if result.source.startswith("automated:") else ["EXAMINE"],
        types=["control-objective"],
        props=[
            _prop("implementation", implementation.code),
            _prop("metric", result.metric),
            _prop("value", result.value),
            _prop("target", result.target),
            _prop("outcome", result.outcome),
            _prop("check-source", result.source),
        ],
        relevant_evidence=[
            common.RelevantEvidence(href=f"controls/{record.file_name}", description="Check results of the control")
        ],
        collected=_aware(result.recorded_at),
    )


def _artifact_observation(artifact: Any) -> common.Observation:
    return common.Observation(
        uuid=_id("artifact", artifact.pk),
        title=f"Manual evidence: {artifact.title}"[:200],
        description=(
            f"Evidence artifact in force from {artifact.effective_on} to {artifact.expires_on}"
            + (f": {artifact.description}" if artifact.description else ".")
        ),
        methods=["EXAMINE"],
        types=["control-objective"],
        relevant_evidence=[
            common.RelevantEvidence(href=f"artifacts/{artifact.pk}/", description=f"{artifact.files.count()} file(s)")
        ],
        collected=_aware(artifact.created_at),
        expires=datetime.combine(artifact.expires_on, datetime.max.time(), tzinfo=UTC),
    )


def _log_observations(date_from: date, date_to: date, keys: list[dict[str, Any]] | None) -> list[common.Observation]:
    """Per source, the signed event log of the period: what the auditor re-verifies with verify.py."""
    observations = []
    checkpoints = Checkpoint.objects.filter(day__gte=date_from, day__lte=date_to).select_related("source")
    by_source: dict[str, list[Checkpoint]] = {}
    for checkpoint in checkpoints.order_by("source__name", "day"):
        by_source.setdefault(checkpoint.source.name, []).append(checkpoint)
    fingerprints = {k["key_id"]: k["fingerprint"] for k in keys or []}
    if not fingerprints:
        fingerprints = dict(SigningKey.objects.values_list("key_id", "fingerprint"))
    for name, days in by_source.items():
        count = sum(c.count for c in days)
        used = sorted({fingerprints.get(c.key_id, c.key_id) for c in days})
        observations.append(
            common.Observation(
                uuid=_id("event-log", name, date_from, date_to),
                title=f"Signed decision log of {name}",
                description=(
                    f"{count} events of source {name} received {date_from} to {date_to}, hash-chained and covered by "
                    f"{len(days)} daily checkpoints signed with Ed25519 ({', '.join(used)})."
                ),
                methods=["TEST"],
                types=["control-objective"],
                props=[_prop("source", name), _prop("events", count), _prop("checkpoints", len(days))],
                relevant_evidence=[
                    common.RelevantEvidence(href=f"events/{name}.ndjson.gz", description="The events as hashed"),
                    common.RelevantEvidence(href=f"checkpoints/{name}.jsonl", description="The signed checkpoints"),
                ],
                collected=max(_aware(c.signed_at) for c in days),
            )
        )
    return observations


# Controls about the decision log are evidenced by the signed log itself as well as by their checks.
LOG_CONTROLS = {"A.6.2.6", "A.6.2.8"}


def assessment_results(
    date_from: date,
    date_to: date,
    *,
    records: list[controls_export.ControlRecord] | None = None,
    generated_at: datetime | None = None,
    keys: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The OSCAL document as a JSON-ready dict ({"assessment-results": {...}})."""
    records = records if records is not None else controls_export.control_records(date_from, date_to)
    now = _aware(generated_at or datetime.now(UTC))
    start, end = controls_export.period_bounds(date_from, date_to)
    observations: list[common.Observation] = []
    log_observations = _log_observations(date_from, date_to, keys)
    observations.extend(log_observations)
    seen_artifacts: set[int] = set()
    findings: list[common.Finding] = []
    excluded: list[common.SelectControlById] = []
    for record in records:
        if not record.applies:
            excluded.append(common.SelectControlById(control_id=record.ref))
            continue
        related: list[str] = []
        for result in record.results:
            observation = _result_observation(record, result)
            observations.append(observation)
            related.append(observation.uuid)
        for artifact in record.artifacts:
            if artifact.pk not in seen_artifacts:
                seen_artifacts.add(artifact.pk)
                observations.append(_artifact_observation(artifact))
            related.append(_id("artifact", artifact.pk))
        if record.ref in LOG_CONTROLS:
            related.extend(o.uuid for o in log_observations)
        state, reason = _state(record.status)
        passed = sum(1 for r in record.results if r.outcome == CheckOutcome.PASS)
        failed = sum(1 for r in record.results if r.outcome == CheckOutcome.FAIL)
        findings.append(
            common.Finding(
                uuid=_id("finding", record.ref, date_from, date_to),
                title=f"{record.ref} {record.title}"[:250],
                description=(
                    f"Status at the end of the period: {record.status.label}. {passed} passing and {failed} failing "
                    f"check result(s) and {len(record.artifacts)} evidence artifact(s) in force during the period."
                ),
                target=common.FindingTarget(
                    type="objective-id",
                    target_id=record.ref,
                    title=record.title[:250] or record.ref,
                    status=common.ObjectiveStatus(state=state, reason=reason),
                ),
                props=[
                    _prop("control-status", record.status.value),
                    _prop("annex-a", "yes" if record.annex_a else "no"),
                ],
                related_observations=[common.RelatedObservation(observation_uuid=u) for u in dict.fromkeys(related)]
                or None,
            )
        )
    selection = common.ControlSelectionsAll(
        description="Annex A controls of ISO/IEC 42001 and the controls the organisation added, as on its SoA.",
        include_all=common.IncludeAll(),
        exclude_controls=excluded or None,
    )
    document = ar.AssessmentResults(
        uuid=str(uuid.uuid4()),
        metadata=common.Metadata(
            title=f"AIMS assessment results {date_from} to {date_to}",
            last_modified=now,
            published=now,
            version="1",
            oscal_version=common.OscalVersion(OSCAL_VERSION),
            remarks="Generated by the AIMS portal from its control check results, evidence and signed event log.",
        ),
        import_ap=ar.ImportAp(
            href="#continuous-monitoring",
            remarks="Continuous monitoring by automated checks over the signed decision log; no separate plan.",
        ),
        results=[
            ar.Result(
                uuid=_id("result", date_from, date_to),
                title=f"Operation of the AIMS controls, {date_from} to {date_to}",
                description="Control status from automated check results and manual evidence, per UTC day range.",
                start=start,
                end=end,
                reviewed_controls=common.ReviewedControls(control_selections=[selection]),
                observations=observations or None,
                findings=findings or None,
            )
        ],
    )
    return document.oscal_dict()
