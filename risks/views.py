"""Pages of the risks app: the risk register with its heatmaps, treatment and acceptance; impact assessments
with sign-off; the risk criteria. Views parse, call a service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from aims.core.choices import DecisionKind
from aims.core.csv import csv_response
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from registry.forms import ImportForm, apply_errors
from registry.models import AISystem
from risks import csv_io, selectors, services
from risks.filtersets import ImpactAssessmentFilterSet, RiskFilterSet
from risks.forms import (
    AcceptanceDecideForm,
    AcceptanceRequestForm,
    ActionForm,
    CriteriaForm,
    ImpactAssessmentForm,
    ImpactForm,
    NoteForm,
    OwnerAcceptForm,
    RiskForm,
    SignOffForm,
)
from risks.models import EDIT_ALL, REQUEST_ACCEPTANCE, ImpactAssessment, Risk, TreatmentAction
from risks.services import ASSESSMENT_FIELDS, IMPACT_FIELDS

VIEW_RISKS = "risks.view_risk"
VIEW_IAS = "risks.view_impactassessment"
VIEW_CRITERIA = "risks.view_riskcriteria"
PAGE_SIZE = 25


def _require_change(request: HttpRequest, obj: Model) -> None:
    if not selectors.can_change(request.user, obj):
        raise PermissionDenied


def _service_errors(form: Any, exc: ServiceError | ValidationError) -> None:
    if isinstance(exc, ValidationError):
        apply_errors(form, exc)
        return
    for name, msgs in exc.fields.items():
        form.add_error(name if name in form.fields else None, msgs)
    if not exc.fields:
        form.add_error(None, exc.message)


def _save_form(
    request: HttpRequest, form: Any, write: Callable[[], Any], success: str, template: str, context: dict[str, Any]
) -> tuple[Any, HttpResponse | None]:
    """Run a service for a valid form; put its errors back on the form. Returns (result, error response)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = write()
        except (ValidationError, ServiceError) as exc:
            if isinstance(exc, ServiceError) and exc.status == 403:
                raise PermissionDenied from exc
            _service_errors(form, exc)
        else:
            messages.success(request, success)
            return result, None
    return None, render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def _operation(request: HttpRequest, form: Any, write: Callable[[], Any], success: str) -> int | None:
    """A POST-only operation: run it, report the outcome as a message. None when it worked, else the 4xx status
    the page answering the refusal must carry (a refused four-eyes decision is a 403, not a 200)."""
    if not form.is_valid():
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
        return 400
    try:
        write()
    except ServiceError as exc:
        if exc.status == 403 and exc.code != "four_eyes":
            raise PermissionDenied from exc
        messages.error(request, exc.message + "".join(f" {' '.join(v)}" for v in exc.fields.values()))
        return exc.status
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return 400
    messages.success(request, success)
    return None


# --- the register -----------------------------------------------------------------------------------------------


@permission_required(VIEW_RISKS)
def index(request: HttpRequest) -> HttpResponse:
    queryset = selectors.risks_for(request.user)
    filterset = RiskFilterSet(request.GET or None, queryset=queryset)
    risks = queryset.none() if filterset.errors else filterset.qs
    page = Paginator(risks, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    criteria = selectors.criteria_in_force()
    heatmaps = []
    if criteria is not None:
        current = {k: v for k, v in request.GET.items() if v}
        heatmaps = [
            selectors.heatmap(risks, kind=kind, criteria=criteria, query=current) for kind in ("inherent", "residual")
        ]
    return render(
        request,
        "risks/risk_list.html",
        {
            "filterset": filterset,
            "page": page,
            "query": query.urlencode(),
            "heatmaps": heatmaps,
            "summary": selectors.summary(request.user),
            "criteria": criteria,
        },
        status=400 if filterset.errors else 200,
    )


@permission_required(VIEW_RISKS)
def risk_export(request: HttpRequest) -> HttpResponse:
    filterset = RiskFilterSet(request.GET or None, queryset=selectors.risks_for(request.user))
    if filterset.errors:
        return HttpResponseBadRequest("The filters are not valid.", content_type="text/plain")
    risks = filterset.qs.prefetch_related("controls")
    return csv_response("risks.csv", csv_io.COLUMNS + csv_io.EXPORT_ONLY, csv_io.risk_rows(risks))


@permission_required(VIEW_RISKS, "risks.add_risk", "risks.change_risk")
def risk_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csv_io.MAX_IMPORT_BYTES:
            form.add_error("file", "The file is larger than 2 MB.")
        else:
            result = csv_io.import_risks(user=request.user, data=upload.read())
            if result.ok:
                messages.success(request, f"Imported risks: {result.created} created, {result.updated} updated.")
                return redirect("risks:index")
    status = 400 if form.errors or (result and not result.ok) else 200
    return render(request, "risks/import.html", {"form": form, "result": result}, status=status)


def _risk_form(request: HttpRequest, instance: Risk | None = None) -> RiskForm:
    return RiskForm(
        request.POST or None, instance=instance, user=request.user, may_edit_all=request.user.has_perm(EDIT_ALL)
    )


@permission_required(VIEW_RISKS, "risks.add_risk")
def risk_create(request: HttpRequest) -> HttpResponse:
    form = _risk_form(request)

    def write() -> Risk:
        return services.create_risk(
            user=request.user,
            reason=form.cleaned_data["reason"],
            controls=list(form.cleaned_data["controls"]),
            **form.service_fields(),
        )

    risk, error = _save_form(
        request, form, write, "Risk recorded.", "risks/form.html", {"title": "Record a risk", "cancel": "risks:index"}
    )
    return error or redirect("risks:risk-detail", pk=risk.pk)


@permission_required(VIEW_RISKS, "risks.change_risk")
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    _require_change(request, risk)
    form = _risk_form(request, risk)

    def write() -> Risk:
        data = form.service_fields()
        if form.fields["owner"].disabled:
            data.pop("owner")
        return services.update_risk(
            risk=risk,
            user=request.user,
            reason=form.cleaned_data["reason"],
            controls=list(form.cleaned_data["controls"]),
            reassess=form.cleaned_data.get("reassess", False),
            **data,
        )

    _saved, error = _save_form(
        request, form, write, "Risk saved.", "risks/form.html", {"title": f"Edit {risk}", "object": risk}
    )
    return error or redirect("risks:risk-detail", pk=risk.pk)


@permission_required(VIEW_RISKS)
def risk_detail(
    request: HttpRequest, pk: int, decide_form: AcceptanceDecideForm | None = None, status: int = 200
) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    user = request.user
    can_change = selectors.can_change(user, risk)
    pending = services.pending_acceptance(risk)
    answers_for_risk = user.pk in {risk.owner_id, risk.ai_system.owner_id if risk.ai_system else None}
    open_for_acceptance = risk.effective_status not in ("acceptance_pending", "closed", "accepted")
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "actions": selectors.actions_of(risk),
            "acceptances": selectors.acceptances_of(risk, user) if user.has_perm("risks.view_riskacceptance") else [],
            "decisions": selectors.decisions_on(risk, DecisionKind.RISK_ACCEPTANCE, user),
            "pending": pending,
            "can_change": can_change,
            "can_owner_accept": open_for_acceptance and risk.acceptor == "owner" and risk.owner_id == user.pk,
            "can_request": open_for_acceptance
            and risk.acceptor == "committee"
            and (user.has_perm("core.request_decision") or (user.has_perm(REQUEST_ACCEPTANCE) and can_change)),
            "can_decide": pending is not None
            and user.has_perm("core.decide_decision")
            and pending.decision.requested_by_id != user.pk
            and not answers_for_risk,
            "action_form": ActionForm(),
            "owner_accept_form": OwnerAcceptForm(),
            "request_form": AcceptanceRequestForm(),
            "decide_form": decide_form or AcceptanceDecideForm(),
            "tab": "overview",
        },
        status=status,
    )


@permission_required(VIEW_RISKS)
def risk_history(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    return render(
        request,
        "risks/history.html",
        {
            "object": risk,
            "history": selectors.history_of(risk),
            "tabs": "risks/includes/risk_tabs.html",
            "risk": risk,
            "tab": "history",
        },
    )


@permission_required(VIEW_RISKS, "risks.change_risk", "risks.add_treatmentaction")
@require_POST
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    _require_change(request, risk)
    form = ActionForm(request.POST)
    _operation(
        request,
        form,
        lambda: services.add_action(risk=risk, user=request.user, **form.cleaned_data),
        "Action added to the treatment plan.",
    )
    return redirect("risks:risk-detail", pk=risk.pk)


@permission_required(VIEW_RISKS, "risks.change_treatmentaction")
@require_POST
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(TreatmentAction.objects.restrict(request.user, "view"), pk=pk)
    _operation(
        request,
        NoteForm(request.POST),
        lambda: services.complete_action(action=action, user=request.user),
        "Action done.",
    )
    return redirect("risks:risk-detail", pk=action.risk_id)


@permission_required(VIEW_RISKS, "risks.change_risk")
@require_POST
def risk_owner_accept(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    form = OwnerAcceptForm(request.POST)
    _operation(
        request,
        form,
        lambda: services.accept_as_owner(risk=risk, user=request.user, **form.cleaned_data),
        "Risk accepted.",
    )
    return redirect("risks:risk-detail", pk=risk.pk)


@permission_required(VIEW_RISKS)
@require_POST
def risk_request_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    form = AcceptanceRequestForm(request.POST)
    _operation(
        request,
        form,
        lambda: services.request_acceptance(risk=risk, user=request.user, **form.cleaned_data),
        "Acceptance requested. A committee member who does not answer for the risk must decide it.",
    )
    return redirect("risks:risk-detail", pk=risk.pk)


@permission_required(VIEW_RISKS, "core.view_decision", "core.decide_decision")
@require_POST
def risk_accept(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(selectors.risks_for(request.user), pk=pk)
    form = AcceptanceDecideForm(request.POST)

    def write() -> Any:
        data = form.cleaned_data
        return services.decide_acceptance(
            risk=risk,
            user=request.user,
            approve=data["decision"] == "approve",
            rationale=data["rationale"],
            expires_on=data["expires_on"],
        )

    refused = _operation(request, form, write, "Decision recorded.")
    if refused:
        return risk_detail(request, pk, decide_form=form, status=refused)
    return redirect("risks:risk-detail", pk=risk.pk)


# --- impact assessments -----------------------------------------------------------------------------------------


@permission_required(VIEW_IAS)
def ia_list(request: HttpRequest) -> HttpResponse:
    filterset = ImpactAssessmentFilterSet(request.GET or None, queryset=selectors.impact_assessments_for(request.user))
    assessments = filterset.qs if not filterset.errors else ImpactAssessment.objects.none()
    page = Paginator(assessments, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    assessed = ImpactAssessment.objects.values("ai_system_id")
    missing = (
        AISystem.objects.exclude(pk__in=assessed)
        .filter(risk_tier__in=["high", "limited", "prohibited"])
        .order_by("name")
    )
    return render(
        request,
        "risks/ia_list.html",
        {"filterset": filterset, "page": page, "query": query.urlencode(), "missing": missing},
        status=400 if filterset.errors else 200,
    )


@permission_required(VIEW_IAS, "risks.add_impactassessment")
def ia_create(request: HttpRequest, system_pk: int) -> HttpResponse:
    system = get_object_or_404(AISystem.objects.restrict(request.user, "view"), pk=system_pk)
    if not (request.user.has_perm(EDIT_ALL) or system.owner_id == request.user.pk):
        raise PermissionDenied
    form = ImpactAssessmentForm(request.POST or None)

    def write() -> ImpactAssessment:
        data = {n: form.cleaned_data[n] for n in ASSESSMENT_FIELDS}
        return services.create_impact_assessment(
            user=request.user, ai_system=system, reason=form.cleaned_data["reason"], **data
        )

    assessment, error = _save_form(
        request,
        form,
        write,
        "Impact assessment started. Record the impacts next.",
        "risks/form.html",
        {"title": f"Assess the impact of {system}", "cancel": "risks:ia-list"},
    )
    return error or redirect("risks:ia-detail", pk=assessment.pk)


@permission_required(VIEW_IAS)
def ia_detail(
    request: HttpRequest, pk: int, signoff_form: SignOffForm | None = None, status: int = 200
) -> HttpResponse:
    assessment = get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)
    user = request.user
    pending = services.pending_signoff(assessment)
    can_change = selectors.can_change(user, assessment)
    return render(
        request,
        "risks/ia_detail.html",
        {
            "assessment": assessment,
            "impacts": selectors.impacts_of(assessment, user),
            "differences": services.snapshot_differences(assessment),
            "decisions": selectors.decisions_on(assessment, DecisionKind.IMPACT_ASSESSMENT, user),
            "pending": pending,
            "can_change": can_change and pending is None,
            "can_request": pending is None
            and user.has_perm("core.request_decision")
            and assessment.status != "signed_off",
            "can_decide": pending is not None
            and user.has_perm("core.decide_decision")
            and pending.requested_by_id != user.pk
            and assessment.ai_system.owner_id != user.pk,
            "request_form": NoteForm(),
            "signoff_form": signoff_form or SignOffForm(),
            "tab": "overview",
        },
        status=status,
    )


@permission_required(VIEW_IAS)
def ia_history(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)
    return render(
        request,
        "risks/history.html",
        {
            "object": assessment,
            "history": selectors.history_of(assessment),
            "tabs": "risks/includes/ia_tabs.html",
            "assessment": assessment,
            "tab": "history",
        },
    )


@permission_required(VIEW_IAS, "risks.change_impactassessment")
def ia_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)
    _require_change(request, assessment)
    form = ImpactAssessmentForm(request.POST or None, instance=assessment)

    def write() -> ImpactAssessment:
        data = {n: form.cleaned_data[n] for n in ASSESSMENT_FIELDS}
        return services.update_impact_assessment(
            assessment=assessment, user=request.user, reason=form.cleaned_data["reason"], **data
        )

    _saved, error = _save_form(
        request,
        form,
        write,
        "Impact assessment saved.",
        "risks/form.html",
        {"title": f"Edit the {assessment}", "object": assessment},
    )
    return error or redirect("risks:ia-detail", pk=assessment.pk)


@permission_required(VIEW_IAS, "risks.change_impactassessment", "risks.add_impact")
def impact_create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)
    _require_change(request, assessment)
    form = ImpactForm(request.POST or None)

    def write() -> Any:
        return services.add_impact(
            assessment=assessment, user=request.user, **{n: form.cleaned_data[n] for n in IMPACT_FIELDS}
        )

    _saved, error = _save_form(
        request,
        form,
        write,
        "Impact recorded.",
        "risks/form.html",
        {"title": f"Record an impact of {assessment.ai_system}", "object": assessment},
    )
    return error or redirect("risks:ia-detail", pk=assessment.pk)


@permission_required(VIEW_IAS, "core.request_decision")
@require_POST
def ia_request_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)
    form = NoteForm(request.POST)
    _operation(
        request,
        form,
        lambda: services.request_signoff(assessment=assessment, user=request.user, note=form.cleaned_data["note"]),
        "Sign-off requested.",
    )
    return redirect("risks:ia-detail", pk=assessment.pk)


@permission_required(VIEW_IAS, "core.view_decision", "core.decide_decision")
@require_POST
def ia_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(selectors.impact_assessments_for(request.user), pk=pk)
    form = SignOffForm(request.POST)

    def write() -> Any:
        return services.decide_signoff(
            assessment=assessment,
            user=request.user,
            approve=form.cleaned_data["decision"] == "approve",
            rationale=form.cleaned_data["rationale"],
        )

    refused = _operation(request, form, write, "Decision recorded.")
    if refused:
        return ia_detail(request, pk, signoff_form=form, status=refused)
    return redirect("risks:ia-detail", pk=assessment.pk)


@permission_required(VIEW_IAS, EDIT_ALL)
@require_POST
def ia_reconcile(request: HttpRequest) -> HttpResponse:
    marked = services.reconcile_impact_assessments()
    messages.success(request, f"Checked every assessment against its AI system: {len(marked)} now due for review.")
    return redirect("risks:ia-list")


# --- criteria ---------------------------------------------------------------------------------------------------


@permission_required(VIEW_CRITERIA)
def criteria_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "risks/criteria_list.html",
        {"versions": selectors.criteria_for(request.user), "criteria": selectors.criteria_in_force()},
    )


@permission_required(VIEW_CRITERIA)
def criteria_detail(request: HttpRequest, pk: int) -> HttpResponse:
    criteria = get_object_or_404(selectors.criteria_for(request.user), pk=pk)
    return render(request, "risks/criteria_detail.html", {"criteria": criteria, "tab": "overview"})


@permission_required(VIEW_CRITERIA)
def criteria_history(request: HttpRequest, pk: int) -> HttpResponse:
    criteria = get_object_or_404(selectors.criteria_for(request.user), pk=pk)
    return render(
        request,
        "risks/history.html",
        {
            "object": criteria,
            "history": selectors.history_of(criteria),
            "tabs": "risks/includes/criteria_tabs.html",
            "criteria": criteria,
            "tab": "history",
        },
    )


@permission_required(VIEW_CRITERIA, "risks.add_riskcriteria")
def criteria_create(request: HttpRequest) -> HttpResponse:
    current = selectors.criteria_in_force()
    form = CriteriaForm(request.POST or None, initial=CriteriaForm.initial_from(current) if current else None)

    def write() -> Any:
        return services.create_criteria_version(user=request.user, **form.cleaned_data)

    criteria, error = _save_form(
        request,
        form,
        write,
        "New criteria version in force.",
        "risks/form.html",
        {"title": "New risk criteria version", "cancel": "risks:criteria-list"},
    )
    return error or redirect(reverse("risks:criteria-detail", kwargs={"pk": criteria.pk}))
