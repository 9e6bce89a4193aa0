"""Report runs: one row per report someone asked for, made before any work starts (STYLE.md 10).

Reports are documented information the AIMS hands to its readers (ISO/IEC 42001 7.5, 9.1, 9.2, 9.3): the SoA,
registers, control effectiveness, audit and review records, and the evidence packs auditors take away. A run is
derived data, so it is not under history (DESIGN.md, History); who downloaded its file is in the audit trail.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q

from aims.core.querysets import RestrictedQuerySet
from aims.reports.choices import ReportKind, RunStatus

VIEW_ALL = "reports.view_all_reportruns"


class ReportRunQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        # Officers, the committee and auditors read every run (a pack an officer prepared is for the auditor);
        # anyone else who may read runs sees only the runs they asked for.
        if user.has_perm(VIEW_ALL):
            return self
        return self.filter(requested_by=user)


def report_path(run: ReportRun, filename: str) -> str:
    return f"reports/{run.created_at:%Y/%m}/{filename}"


class ReportRun(models.Model):
    """One requested report (ISO/IEC 42001 7.5.3: documented information made available to those who need it).

    The row is saved first and the rendering task enqueued after commit, so a lost task leaves a visible
    "queued" row rather than nothing. `sha256` and `size` describe the file as written; the SHA-256 of the data
    the report was rendered from is printed inside the report itself (its document-control table) and kept in
    `data_sha256`.
    """

    kind = models.CharField(max_length=40, choices=ReportKind.choices)
    parameters = models.JSONField(default=dict, blank=True, help_text="As-of date, period, as validated.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0 to 100.")
    file = models.FileField(upload_to=report_path, blank=True, max_length=300)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the file as written.")
    size = models.BigIntegerField(null=True, blank=True, help_text="Bytes.")
    data_sha256 = models.CharField(max_length=64, blank=True, help_text="Of the canonical JSON of the data.")
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, max_length=4000)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("view_all_reportruns", "Can see every report run, not only those one asked for"),
            ("request_evidence_pack", "Can request an evidence pack of the operating evidence"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="reports_run_progress_max_100"),
            # A finished run has its file described; the download and the audit record rely on it.
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE) | (~Q(sha256="") & Q(size__isnull=False)),
                name="reports_run_done_has_file",
            ),
        ]
        indexes = [
            # "My reports" lists a person's runs newest first.
            models.Index(fields=["requested_by", "-created_at"], name="reports_run_requester_idx"),
            # Finding runs stuck in the queue (a lost task) reads by status and age.
            models.Index(fields=["status", "created_at"], name="reports_run_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED}

    @property
    def download_name(self) -> str:
        extension = "zip" if self.kind == ReportKind.EVIDENCE_PACK else "pdf"
        return f"aims-{self.kind}-{self.pk}.{extension}"
