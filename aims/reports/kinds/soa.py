"""The Statement of Applicability as of a date (ISO/IEC 42001 6.1.3 d).

It prints the approved SoA version in force at the end of that day (the rows exactly as the committee approved
them: applicability, justification, implementation status, owner, implementations), each control's status from
what operated by then, the versions approved up to that day, and what the version changed from the one before.
Without an approved version, a report as of today prints the draft, marked as not approved.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from aims.reports.kinds.base import AS_OF, KindSpec, Params, username, when
from controls import selectors as controls
from controls import services as control_services
from controls.choices import ControlStatus, ImplementationStatus
from controls.models import ControlImplementation


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min)) - timedelta(microseconds=1)


def statuses_at(rows: list[dict[str, Any]], now: datetime) -> dict[str, str]:
    """Each row's control status from the evidence as it stood at `now` (later results do not count)."""
    codes = {code for row in rows for code in row.get("implementations", [])}
    ids = dict(ControlImplementation.objects.filter(code__in=codes).values_list("code", "pk"))
    facts = controls.evidence_facts(list(ids.values()), now=now)
    for pk, results in list(facts.results.items()):
        facts.results[pk] = [r for r in results if r.period_end <= now]
    out = {}
    for row in rows:
        pks = [ids[c] for c in row.get("implementations", []) if c in ids]
        out[row["key"]] = facts.status(pks, applies=bool(row.get("applies")), now=now)
    return out


def soa_rows_as_of(user: Any, as_of: date) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The rows in force on `as_of` with their status, and the version they come from (None: the draft)."""
    version = controls.version_in_force(user, as_of)
    now = min(end_of_day(as_of), timezone.now())
    if version is not None:
        rows = version.rows
        source = {
            "number": version.number,
            "approved_at": when(version.decision.decided_at if version.decision else version.approved_at),
            "requested_by": username(version.requested_by),
            "decided_by": username(version.decision.decided_by) if version.decision else "",
            "rationale": version.decision.rationale if version.decision else "",
            "snapshot_sha256": version.snapshot_sha256,
            "catalog_version": version.catalog_version,
        }
    elif as_of >= timezone.localdate() and user.has_perm("controls.view_soaentry"):
        rows, source = control_services.snapshot_rows(), None
    else:
        return [], None
    statuses = statuses_at(rows, now)
    labels = dict(ImplementationStatus.choices)
    out = []
    for row in rows:
        status = statuses.get(row["key"], ControlStatus.NOT_EVIDENCED)
        out.append(
            {
                "ref": row["ref"],
                "title": row["title"],
                "added": bool(row.get("added")),
                "applies": bool(row.get("applies")),
                "justification": row.get("justification", ""),
                "implementation_status": labels.get(row.get("implementation_status"), ""),
                "owner": row.get("owner", ""),
                "implementations": list(row.get("implementations", [])),
                "status": str(status),
                "status_label": str(ControlStatus(status).label),
            }
        )
    return out, source


def build_context(params: Params, user: Any) -> dict[str, Any]:
    as_of = date.fromisoformat(params[AS_OF])
    rows, source = soa_rows_as_of(user, as_of)
    end = end_of_day(as_of)
    approved = list(
        controls.soa_versions_for(user)
        .approved()
        .filter(decision__decided_at__lte=end)
        .exclude(number=None)
        .order_by("number")
    )
    versions = [
        {
            "number": v.number,
            "approved_at": when(v.decision.decided_at),
            "requested_by": username(v.requested_by),
            "decided_by": username(v.decision.decided_by),
            "rows": len(v.rows),
        }
        for v in approved
    ]
    changes: dict[str, Any] | None = None
    if source is not None and len(approved) >= 2:
        diff = controls.diff_rows(approved[-2].rows, approved[-1].rows)
        changes = {
            "from": approved[-2].number,
            "to": approved[-1].number,
            "added": [f"{r['ref']} {r['title']}" for r in diff.added],
            "removed": [f"{r['ref']} {r['title']}" for r in diff.removed],
            "changed": [{"ref": c.ref, "title": c.title, "fields": [f[0] for f in c.fields]} for c in diff.changed],
        }
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status_label"]] = counts.get(row["status_label"], 0) + 1
    version_label = f"SoA version {source['number']}" if source else ("Draft (not approved)" if rows else "None")
    return {
        "sections": [
            {"id": "summary", "title": "Summary"},
            {"id": "statement", "title": "Statement of Applicability"},
            {"id": "versions", "title": "Approved versions"},
        ],
        "as_of": as_of.isoformat(),
        "version": version_label,
        "source": source,
        "rows": rows,
        "applicable": sum(1 for r in rows if r["applies"]),
        "excluded": sum(1 for r in rows if not r["applies"]),
        "status_counts": sorted(counts.items()),
        "versions": versions,
        "changes": changes,
    }


KIND = KindSpec(
    key="soa",
    title="Statement of Applicability",
    description="The SoA in force on a date: justifications, implementation and control status.",
    template="reports/pdf/soa.html",
    build_context=build_context,
    params=(AS_OF,),
    permissions=("controls.view_soaversion", "controls.view_soaentry", "controls.view_controlcheckresult"),
)
