"""Pages of policy bundles, under /policies/: the list with the current revision, the draft with its diff,
publication requests and decisions, each revision's content and history. Views parse, call, render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims.core.choices import DecisionKind
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from aims.core.models import Decision
from enforcement.bundle import revision
from policies import selectors, services
from policies.forms import PublicationDecideForm, PublicationRequestForm

VIEW = "policies.view_policybundle"
PAGE_SIZE = 25


def _can_request(request: HttpRequest) -> bool:
    return request.user.has_perms(["policies.add_policybundle", "core.request_decision"])


@permission_required(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.bundles_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_people(list(page.object_list))
    current = selectors.current_bundle()
    if current is not None:
        current = selectors.with_people([selectors.bundles_for(request.user).get(pk=current.pk)])[0]
    return render(
        request,
        "policies/index.html",
        {
            "page": page,
            "current": current,
            "pending": selectors.pending_bundle(),
            "can_request": _can_request(request),
        },
    )


@permission_required(VIEW)
def draft(request: HttpRequest, *, form: PublicationRequestForm | None = None, status: int = 200) -> HttpResponse:
    error = None
    content = None
    try:
        content = services.compile_draft()
    except ServiceError as exc:
        error = exc.message
    current = selectors.current_bundle()
    diff = selectors.diff(current.content if current else None, content) if content else None
    return render(
        request,
        "policies/draft.html",
        {
            "content": content,
            "draft_revision": revision(content) if content else None,
            "current": current,
            "diff": diff,
            "error": error,
            "pending": selectors.pending_bundle(),
            "form": form or PublicationRequestForm(),
            "can_request": _can_request(request),
        },
        status=status,
    )


@permission_required(VIEW, "policies.add_policybundle", "core.request_decision")
@require_POST
def request_publication(request: HttpRequest) -> HttpResponse:
    form = PublicationRequestForm(request.POST)
    if not form.is_valid():
        return draft(request, form=form, status=400)
    try:
        bundle = services.request_publication(user=request.user, note=form.cleaned_data["note"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return draft(request, form=form, status=exc.status)
    messages.success(request, "Publication requested. A committee member must approve it before gateways get it.")
    return redirect("policies:bundle-detail", pk=bundle.pk)


@permission_required(VIEW)
def bundle_detail(
    request: HttpRequest, pk: int, *, form: PublicationDecideForm | None = None, status: int = 200
) -> HttpResponse:
    bundle = get_object_or_404(selectors.bundles_for(request.user), pk=pk)
    selectors.with_people([bundle])
    pending = services.pending_decision(bundle)
    can_decide = (
        pending is not None
        and request.user.has_perms(["core.decide_decision", "core.view_decision"])
        and pending.requested_by_id != request.user.pk
    )
    current = selectors.current_bundle()
    return render(
        request,
        "policies/bundle_detail.html",
        {
            "bundle": bundle,
            "is_current": current is not None and current.pk == bundle.pk,
            "pending": pending,
            "can_decide": can_decide,
            "decide_form": form or PublicationDecideForm(),
            "decisions": selectors.decisions_of(bundle, request.user),
            "content_json": json.dumps(bundle.content, indent=2, sort_keys=True, ensure_ascii=False),
            "records": bundle.history.select_related("history_user").order_by("-history_id"),
        },
        status=status,
    )


@permission_required(VIEW, "core.view_decision", "core.decide_decision")
@require_POST
def bundle_decide(request: HttpRequest, pk: int) -> HttpResponse:
    bundle = get_object_or_404(selectors.bundles_for(request.user), pk=pk)
    form = PublicationDecideForm(request.POST)
    if not form.is_valid():
        return bundle_detail(request, pk, form=form, status=400)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_publication(
            bundle=bundle, user=request.user, approve=approve, rationale=form.cleaned_data["rationale"]
        )
    except ServiceError as exc:
        for name, msgs in exc.fields.items():
            form.add_error(name if name in form.fields else None, msgs)
        if not exc.fields:
            messages.error(request, exc.message)
        return bundle_detail(request, pk, form=form, status=exc.status)
    messages.success(request, "Published: gateways get this revision now." if approve else "Publication rejected.")
    return redirect("policies:bundle-detail", pk=bundle.pk)


@permission_required(VIEW)
def bundle_json(request: HttpRequest, pk: int) -> HttpResponse:
    bundle = get_object_or_404(selectors.bundles_for(request.user), pk=pk)
    response = HttpResponse(
        json.dumps(bundle.content, indent=2, sort_keys=True, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="policy-bundle-{bundle.short_revision}.json"'
    return response


@permission_required(VIEW, "core.view_decision")
def history(request: HttpRequest) -> HttpResponse:
    """Every publication request and its outcome, newest first (the decision rows of DecisionKind.POLICY_BUNDLE)."""
    decisions = (
        Decision.objects.restrict(request.user, "view")
        .filter(kind=DecisionKind.POLICY_BUNDLE)
        .select_related("requested_by", "decided_by")
    )
    page = Paginator(decisions, PAGE_SIZE).get_page(request.GET.get("page"))
    bundle_ids = {int(d.subject_id) for d in page.object_list if d.subject_id.isdigit()}
    bundles = {str(b.pk): b for b in selectors.bundles_for(request.user).filter(pk__in=bundle_ids)}
    for decision in page.object_list:
        decision.bundle = bundles.get(decision.subject_id)
    return render(request, "policies/history.html", {"page": page})
