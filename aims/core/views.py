"""Home page, the register of decisions, and the health check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from aims.audit import services as audit
from aims.audit.choices import AuditKind
from aims.core import selectors, services
from aims.core.choices import DecisionStatus
from aims.core.csv import csv_response
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from aims.core.filtersets import DecisionFilterSet
from aims.core.forms import DecideForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    pending = []
    if request.user.has_perm("core.decide_decision"):
        pending = list(selectors.decisions_for(request.user).filter(status=DecisionStatus.PENDING)[:20])
    context: dict = {"pending": pending}
    if request.user.has_perm("dashboard.view_dashboard"):
        # The dashboard is the home page of officers and committee members (and read by auditors): the same
        # cached panels as /dashboard/, over its default period; the dashboard page changes the period.
        from aims.dashboard.forms import DEFAULT_DAYS, last_days
        from aims.dashboard.views import panels

        period = last_days(DEFAULT_DAYS)
        context["dashboard_html"], context["dashboard_at"], _ = panels(request.user, period)
        context["dashboard_period"] = period
    return render(request, "core/home.html", context)


@permission_required("core.view_decision")
def decision_list(request: HttpRequest) -> HttpResponse:
    filterset = DecisionFilterSet(request.GET or None, queryset=selectors.decisions_for(request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/decision_list.html",
        {"filterset": filterset, "page": page, "query": query.urlencode()},
        status=400 if filterset.errors else 200,
    )


@permission_required("core.view_decision")
def decision_export(request: HttpRequest) -> HttpResponse:
    filterset = DecisionFilterSet(request.GET or None, queryset=selectors.decisions_for(request.user))
    audit.record(AuditKind.DOWNLOAD, actor=request.user, request=request, summary="Exported the decisions (CSV)")
    rows = (
        (
            d.pk,
            d.get_kind_display(),
            d.subject_label,
            d.subject_version,
            d.status,
            d.requested_by,
            d.requested_at,
            d.request_note,
            d.decided_by or "",
            d.decided_at,
            d.rationale,
        )
        for d in filterset.qs.iterator(chunk_size=500)
    )
    header = [
        "id",
        "kind",
        "subject",
        "version",
        "status",
        "requested_by",
        "requested_at",
        "request_note",
        "decided_by",
        "decided_at",
        "rationale",
    ]
    return csv_response("decisions.csv", header, rows)


@permission_required("core.view_decision")
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(selectors.decisions_for(request.user), pk=pk)
    can_decide = (
        decision.is_pending
        and request.user.has_perm("core.decide_decision")
        and decision.requested_by_id != request.user.pk
    )
    return render(
        request,
        "core/decision_detail.html",
        {"decision": decision, "form": DecideForm(), "can_decide": can_decide},
    )


@permission_required("core.view_decision", "core.decide_decision")
@require_POST
def decision_decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(selectors.decisions_for(request.user), pk=pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide(
                decision=decision,
                user=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                rationale=form.cleaned_data["rationale"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(
                request, f"Decision recorded: {decision.get_kind_display()} {form.cleaned_data['decision']}d."
            )
            return redirect("core:decision-detail", pk=decision.pk)
    else:
        status = 400
    return render(
        request,
        "core/decision_detail.html",
        {"decision": decision, "form": form, "can_decide": decision.requested_by_id != request.user.pk},
        status=status,
    )


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers; says nothing about the data."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
