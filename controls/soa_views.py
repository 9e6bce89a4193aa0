"""Pages of the Statement of Applicability: the draft with each control's status, editing a row, asking for
approval and deciding it (four eyes), approved versions, a diff between two of them, the version in force on a
date, the draft's own history, and the CSV export and import. Rules live in services and selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core.csv import csv_response
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from controls import csv_io, selectors, services
from controls.forms import AsOfForm, DiffForm, SoADecideForm, SoAEntryForm, SoAImportForm, SoARequestForm
from controls.status import FRESHNESS_WINDOW

VIEW_SOA = "controls.view_soaentry"
VIEW_VERSIONS = "controls.view_soaversion"


def _soa_page(request: HttpRequest, *, decide_form: SoADecideForm | None = None, status: int = 200) -> HttpResponse:
    rows = selectors.soa_rows(selectors.soa_entries_for(request.user))
    pending = selectors.pending_soa_decision(request.user)
    user = request.user
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status.label] = counts.get(row.status.label, 0) + 1
    return render(
        request,
        "controls/soa.html",
        {
            "rows": rows,
            "counts": sorted(counts.items()),
            "pending": pending,
            "current": selectors.soa_versions_for(user).approved().exclude(number=None).order_by("-number").first(),
            "can_request": pending is None and user.has_perm("core.request_decision"),
            "can_decide": pending is not None
            and user.has_perm("core.decide_decision")
            and pending.requested_by_id != user.pk,
            "request_form": SoARequestForm(),
            "decide_form": decide_form or SoADecideForm(),
            "as_of_form": AsOfForm(),
            "window_days": FRESHNESS_WINDOW.days,
        },
        status=status,
    )


@permission_required(VIEW_SOA)
def soa(request: HttpRequest) -> HttpResponse:
    return _soa_page(request)


@permission_required(VIEW_SOA, "controls.change_soaentry")
def soa_entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(selectors.soa_entries_for(request.user), pk=pk)
    form = SoAEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.SOA_ENTRY_FIELDS}
        try:
            services.update_soa_entry(entry=entry, user=request.user, reason=form.cleaned_data["reason"], **data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"SoA row {entry.ref} saved in the draft.")
            return redirect("controls:soa")
    # ModelForm validation writes the posted values onto the instance; show the row as stored.
    entry.refresh_from_db()
    return render(
        request, "controls/soa_entry_form.html", {"form": form, "entry": entry}, status=400 if form.errors else 200
    )


@permission_required(VIEW_SOA, "core.request_decision")
@require_POST
def soa_request(request: HttpRequest) -> HttpResponse:
    form = SoARequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long.")
        return redirect("controls:soa")
    try:
        version = services.request_soa_approval(user=request.user, note=form.cleaned_data["note"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _soa_page(request, status=exc.status)
    messages.success(request, "The draft is frozen and approval requested. A committee member must decide it.")
    return redirect("controls:soa-version-detail", pk=version.pk)


@permission_required(VIEW_SOA, "core.view_decision", "core.decide_decision")
@require_POST
def soa_decide(request: HttpRequest) -> HttpResponse:
    pending = selectors.pending_soa_decision(request.user)
    if pending is None:
        messages.error(request, "No SoA approval is pending.")
        return _soa_page(request, status=409)
    form = SoADecideForm(request.POST)
    if not form.is_valid():
        return _soa_page(request, decide_form=form, status=400)
    try:
        version = services.decide_soa(
            decision=pending,
            user=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            rationale=form.cleaned_data["rationale"],
        )
    except ServiceError as exc:
        for name, msgs in exc.fields.items():
            form.add_error(name if name in form.fields else None, msgs)
        if not exc.fields:
            messages.error(request, exc.message)
        return _soa_page(request, decide_form=form, status=exc.status)
    if version.number:
        messages.success(request, f"SoA version {version.number} approved.")
    else:
        messages.success(request, "SoA proposal rejected.")
    return redirect("controls:soa-version-detail", pk=version.pk)


@permission_required(VIEW_SOA)
def soa_export(request: HttpRequest) -> HttpResponse:
    rows = selectors.soa_rows(selectors.soa_entries_for(request.user))
    audit.record(AuditKind.DOWNLOAD, actor=request.user, request=request, summary="Exported the SoA draft (CSV)")
    return csv_response("soa-draft.csv", csv_io.EXPORT_COLUMNS, csv_io.draft_rows(rows))


@permission_required(VIEW_SOA, "controls.change_soaentry")
def soa_import(request: HttpRequest) -> HttpResponse:
    form = SoAImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = csv_io.import_soa(user=request.user, data=form.cleaned_data["file"].read())
        if result.ok:
            messages.success(request, f"Imported: {result.updated} rows changed in the draft.")
            return redirect("controls:soa")
    failed = bool(form.errors) or (result is not None and not result.ok)
    return render(request, "controls/soa_import.html", {"form": form, "result": result}, status=400 if failed else 200)


@permission_required(VIEW_SOA)
def soa_history(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.soa_history(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "controls/soa_history.html", {"page": page, "query": ""})


@permission_required(VIEW_VERSIONS)
def soa_version_list(request: HttpRequest) -> HttpResponse:
    versions = selectors.soa_versions_for(request.user)
    return render(
        request,
        "controls/soa_version_list.html",
        {"versions": versions, "diff_form": DiffForm(versions=versions.approved().exclude(number=None))},
    )


@permission_required(VIEW_VERSIONS)
def soa_version_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(selectors.soa_versions_for(request.user), pk=pk)
    return render(request, "controls/soa_version_detail.html", {"version": version, "rows": version.rows})


@permission_required(VIEW_VERSIONS)
def soa_version_export(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(selectors.soa_versions_for(request.user), pk=pk)
    name = f"soa-version-{version.number}.csv" if version.number else f"soa-proposal-{version.pk}.csv"
    audit.record(AuditKind.DOWNLOAD, actor=request.user, request=request, subject=version, summary=f"Exported {name}")
    return csv_response(name, csv_io.EXPORT_COLUMNS, csv_io.version_rows(version.rows))


@permission_required(VIEW_VERSIONS)
def soa_as_of(request: HttpRequest) -> HttpResponse:
    form = AsOfForm(request.GET or None)
    version = None
    if form.is_valid():
        version = selectors.version_in_force(request.user, form.cleaned_data["date"])
    return render(
        request,
        "controls/soa_as_of.html",
        {"form": form, "version": version, "rows": version.rows if version else []},
        status=400 if form.errors else 200,
    )


@permission_required(VIEW_VERSIONS, VIEW_SOA)
def soa_diff(request: HttpRequest) -> HttpResponse:
    versions = selectors.soa_versions_for(request.user).approved().exclude(number=None)
    form = DiffForm(request.GET or None, versions=versions)
    diff = None
    if form.is_valid():
        old, new = form.cleaned_data["old"], form.cleaned_data["new"]
        diff = selectors.diff_rows(old.rows, new.rows if new else services.snapshot_rows())
    return render(
        request,
        "controls/soa_diff.html",
        {"form": form, "diff": diff},
        status=400 if form.errors else 200,
    )
