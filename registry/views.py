"""Pages of the AI system register: lists, details with a History tab, forms, the EU AI Act questionnaire,
model approvals, and CSV export and import. Views parse, call a service or selector, and render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from aims.core.choices import DecisionStatus
from aims.core.csv import csv_response
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from registry import classification, csv_io, selectors, services
from registry.filtersets import AISystemFilterSet, CatalogModelFilterSet, SupplierFilterSet, UseCaseFilterSet
from registry.forms import (
    AISystemForm,
    CatalogModelForm,
    ClassificationForm,
    DecisionRequestForm,
    ImportForm,
    ModelDecideForm,
    SupplierAssessmentForm,
    SupplierForm,
    UseCaseForm,
    apply_errors,
)
from registry.models import EDIT_ALL, AISystem, CatalogModel, Supplier, UseCase
from registry.services import MODEL_FIELDS, SUPPLIER_FIELDS, SYSTEM_FIELDS

VIEW_SYSTEMS = "registry.view_aisystem"
VIEW_USE_CASES = "registry.view_usecase"
VIEW_MODELS = "registry.view_catalogmodel"
VIEW_SUPPLIERS = "registry.view_supplier"
PAGE_SIZE = 25


def _list(
    request: HttpRequest, filterset_class: type, queryset: QuerySet, template: str, **extra: Any
) -> HttpResponse:
    filterset = filterset_class(request.GET or None, queryset=queryset)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {"filterset": filterset, "page": page, "query": query.urlencode(), **extra},
        status=400 if filterset.errors else 200,
    )


class BadQuery(Exception):
    """An export's filters do not validate; the export answers 400 rather than exporting everything."""


def _export(request: HttpRequest, filterset_class: type, queryset: QuerySet) -> QuerySet:
    filterset = filterset_class(request.GET or None, queryset=queryset)
    if filterset.errors:
        raise BadQuery
    return filterset.qs


def _exporting(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadQuery:
            return HttpResponseBadRequest("The filters are not valid.", content_type="text/plain")

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _require_change(request: HttpRequest, obj: Model) -> None:
    if not selectors.can_change(request.user, obj):
        raise PermissionDenied


def _save_form(
    request: HttpRequest, form: Any, write: Callable[[], Any], success: str, template: str, context: dict[str, Any]
) -> tuple[Any, HttpResponse | None]:
    """Run a service for a valid form; put its errors back on the form. Returns (result, error response)."""
    if request.method == "POST" and form.is_valid():
        try:
            result = write()
        except ValidationError as exc:
            apply_errors(form, exc)
        except ServiceError as exc:
            for name, msgs in exc.fields.items():
                form.add_error(name if name in form.fields else None, msgs)
            if not exc.fields:
                form.add_error(None, exc.message)
        else:
            messages.success(request, success)
            return result, None
    status = 400 if form.errors else 200
    return None, render(request, template, {"form": form, **context}, status=status)


def _material(request: HttpRequest, change: services.Change) -> None:
    if change.material:
        messages.info(
            request, "Material change: " + "; ".join(change.material.reasons) + ". The impact assessment falls due."
        )


# --- AI systems -----------------------------------------------------------------------------------------------


@permission_required(VIEW_SYSTEMS)
def index(request: HttpRequest) -> HttpResponse:
    return _list(request, AISystemFilterSet, selectors.ai_systems_for(request.user), "registry/system_list.html")


@permission_required(VIEW_SYSTEMS)
@_exporting
def system_export(request: HttpRequest) -> HttpResponse:
    systems = _export(request, AISystemFilterSet, selectors.ai_systems_for(request.user)).prefetch_related(
        "suppliers", "use_cases"
    )
    header = csv_io.SYSTEM_COLUMNS + csv_io.SYSTEM_EXPORT_ONLY
    return csv_response("ai-systems.csv", header, csv_io.system_rows(systems))


@permission_required(VIEW_SYSTEMS)
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.ai_systems_for(request.user), pk=pk)
    use_cases = list(system.use_cases.all())
    policies = [(uc, selectors.use_case_policy(uc)) for uc in use_cases]
    return render(
        request,
        "registry/system_detail.html",
        {
            "system": system,
            "policies": policies,
            "answers": classification.describe(classification.parse_answers(system.classification_answers))
            if system.classified_at
            else [],
            "can_change": selectors.can_change(request.user, system),
            "may_add_use_case": request.user.has_perm("registry.add_usecase")
            and selectors.can_change(request.user, system),
            "tab": "overview",
        },
    )


@permission_required(VIEW_SYSTEMS)
def system_history(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.ai_systems_for(request.user), pk=pk)
    return render(
        request,
        "registry/history.html",
        {
            "object": system,
            "history": selectors.history_of(system),
            "tab": "history",
            "tabs": "registry/includes/system_tabs.html",
            "system": system,
        },
    )


def _system_fields(form: AISystemForm) -> tuple[dict[str, Any], list[Supplier]]:
    data = {name: form.cleaned_data[name] for name in SYSTEM_FIELDS}
    return data, list(form.cleaned_data["suppliers"])


@permission_required(VIEW_SYSTEMS, "registry.add_aisystem", EDIT_ALL)
def system_create(request: HttpRequest) -> HttpResponse:
    form = AISystemForm(request.POST or None)

    def write() -> AISystem:
        data, suppliers = _system_fields(form)
        return services.create_ai_system(
            user=request.user, reason=form.cleaned_data["reason"], suppliers=suppliers, **data
        )

    system, error = _save_form(
        request,
        form,
        write,
        "AI system registered. Classify it next.",
        "registry/form.html",
        {"title": "Register an AI system", "cancel": "registry:index"},
    )
    return error or redirect("registry:system-classify", pk=system.pk)


@permission_required(VIEW_SYSTEMS, "registry.change_aisystem")
def system_edit(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.ai_systems_for(request.user), pk=pk)
    _require_change(request, system)
    form = AISystemForm(request.POST or None, instance=system, may_reassign=request.user.has_perm(EDIT_ALL))

    def write() -> services.Change:
        data, suppliers = _system_fields(form)
        return services.update_ai_system(
            system=system, user=request.user, reason=form.cleaned_data["reason"], suppliers=suppliers, **data
        )

    change, error = _save_form(
        request, form, write, "AI system saved.", "registry/form.html", {"title": f"Edit {system}", "object": system}
    )
    if error:
        return error
    _material(request, change)
    return redirect("registry:system-detail", pk=system.pk)


@permission_required(VIEW_SYSTEMS, "registry.change_aisystem")
def system_classify(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.ai_systems_for(request.user), pk=pk)
    _require_change(request, system)
    form = ClassificationForm(request.POST or None, initial=system.classification_answers or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            change = services.classify_ai_system(
                system=system, user=request.user, answers=form.answers(), reason=form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            for name, msgs in exc.fields.items():
                form.add_error(name if name in form.fields else None, msgs)
        else:
            messages.success(request, f"Classified as {change.obj.get_risk_tier_display()}.")
            _material(request, change)
            return redirect("registry:system-detail", pk=system.pk)
    elif system.classification_answers:
        preview = classification.classify(classification.parse_answers(system.classification_answers))
    return render(
        request,
        "registry/classify.html",
        {"system": system, "form": form, "preview": preview},
        status=400 if form.errors else 200,
    )


# --- use cases ------------------------------------------------------------------------------------------------


@permission_required(VIEW_USE_CASES)
def usecase_list(request: HttpRequest) -> HttpResponse:
    return _list(request, UseCaseFilterSet, selectors.use_cases_for(request.user), "registry/usecase_list.html")


@permission_required(VIEW_USE_CASES)
@_exporting
def usecase_export(request: HttpRequest) -> HttpResponse:
    use_cases = _export(request, UseCaseFilterSet, selectors.use_cases_for(request.user)).prefetch_related(
        "allowed_models"
    )
    header = csv_io.USE_CASE_COLUMNS + csv_io.USE_CASE_EXPORT_ONLY
    return csv_response("use-cases.csv", header, csv_io.use_case_rows(use_cases))


@permission_required(VIEW_USE_CASES)
def usecase_detail(request: HttpRequest, key: str) -> HttpResponse:
    use_case = get_object_or_404(selectors.use_cases_for(request.user), key=key)
    return render(
        request,
        "registry/usecase_detail.html",
        {
            "use_case": use_case,
            "policy": selectors.use_case_policy(use_case),
            "models": selectors.with_approvers(list(CatalogModel.objects.with_approval().filter(use_cases=use_case))),
            "can_change": selectors.can_change(request.user, use_case),
            "tab": "overview",
        },
    )


@permission_required(VIEW_USE_CASES)
def usecase_history(request: HttpRequest, key: str) -> HttpResponse:
    use_case = get_object_or_404(selectors.use_cases_for(request.user), key=key)
    return render(
        request,
        "registry/history.html",
        {
            "object": use_case,
            "history": selectors.history_of(use_case),
            "tab": "history",
            "tabs": "registry/includes/usecase_tabs.html",
            "use_case": use_case,
        },
    )


@permission_required(VIEW_SYSTEMS, VIEW_USE_CASES, "registry.add_usecase")
def usecase_create(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_object_or_404(selectors.ai_systems_for(request.user), pk=pk)
    _require_change(request, system)
    form = UseCaseForm(request.POST or None)

    def write() -> UseCase:
        return services.create_use_case(
            ai_system=system,
            user=request.user,
            key=form.cleaned_data["key"],
            reason=form.cleaned_data["reason"],
            **form.service_fields(),
        )

    use_case, error = _save_form(
        request,
        form,
        write,
        "Use case added.",
        "registry/form.html",
        {"title": f"Add a use case to {system}", "object": system},
    )
    return error or redirect("registry:usecase-detail", key=use_case.key)


@permission_required(VIEW_USE_CASES, "registry.change_usecase")
def usecase_edit(request: HttpRequest, key: str) -> HttpResponse:
    use_case = get_object_or_404(selectors.use_cases_for(request.user), key=key)
    _require_change(request, use_case)
    form = UseCaseForm(request.POST or None, instance=use_case)

    def write() -> UseCase:
        return services.update_use_case(
            use_case=use_case, user=request.user, reason=form.cleaned_data["reason"], **form.service_fields()
        )

    saved, error = _save_form(
        request,
        form,
        write,
        "Use case saved.",
        "registry/form.html",
        {"title": f"Edit use case {use_case.key}", "object": use_case},
    )
    return error or redirect("registry:usecase-detail", key=saved.key)


# --- model catalog --------------------------------------------------------------------------------------------


@permission_required(VIEW_MODELS)
def model_list(request: HttpRequest) -> HttpResponse:
    return _list(
        request, CatalogModelFilterSet, selectors.catalog_models_for(request.user), "registry/model_list.html"
    )


@permission_required(VIEW_MODELS)
@_exporting
def model_export(request: HttpRequest) -> HttpResponse:
    models_ = selectors.with_approvers(
        list(
            _export(request, CatalogModelFilterSet, selectors.catalog_models_for(request.user)).prefetch_related(
                "use_cases"
            )
        )
    )
    header = [
        "provider",
        "gateway_name",
        "display_name",
        "version",
        "hosting_region",
        "supplier",
        "approval_status",
        "approved_by",
        "approved_at",
        "use_cases",
    ]
    rows = (
        [
            m.provider,
            m.gateway_name,
            m.display_name,
            m.version,
            m.hosting_region,
            m.supplier or "",
            m.approval_status,
            m.approved_by or "",
            m.approved_at,
            "; ".join(uc.key for uc in m.use_cases.all()),
        ]
        for m in models_
    )
    return csv_response("model-catalog.csv", header, rows)


@permission_required(VIEW_MODELS)
def model_detail(
    request: HttpRequest, pk: int, form: ModelDecideForm | None = None, status: int = 200
) -> HttpResponse:
    model = get_object_or_404(selectors.catalog_models_for(request.user), pk=pk)
    selectors.with_approvers([model])
    decisions = (
        list(selectors.model_decisions(model, request.user)) if request.user.has_perm("core.view_decision") else []
    )
    pending = next((d for d in decisions if d.status == DecisionStatus.PENDING), None)
    return render(
        request,
        "registry/model_detail.html",
        {
            "model": model,
            "decisions": decisions,
            "pending": pending,
            "can_request": request.user.has_perm("core.request_decision")
            and pending is None
            and not model.is_approved,
            "can_decide": pending is not None
            and request.user.has_perm("core.decide_decision")
            and pending.requested_by_id != request.user.pk,
            "request_form": DecisionRequestForm(),
            "decide_form": form or ModelDecideForm(),
            "tab": "overview",
        },
        status=status,
    )


@permission_required(VIEW_MODELS)
def model_history(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(selectors.catalog_models_for(request.user), pk=pk)
    return render(
        request,
        "registry/history.html",
        {
            "object": model,
            "history": selectors.history_of(model),
            "tab": "history",
            "tabs": "registry/includes/model_tabs.html",
            "model": model,
        },
    )


def _model_fields(form: CatalogModelForm) -> tuple[dict[str, Any], list[UseCase]]:
    return {name: form.cleaned_data[name] for name in MODEL_FIELDS}, list(form.cleaned_data["use_cases"])


@permission_required(VIEW_MODELS, "registry.add_catalogmodel")
def model_create(request: HttpRequest) -> HttpResponse:
    form = CatalogModelForm(request.POST or None)

    def write() -> CatalogModel:
        data, use_cases = _model_fields(form)
        return services.create_catalog_model(
            user=request.user, reason=form.cleaned_data["reason"], use_cases=use_cases, **data
        )

    model, error = _save_form(
        request,
        form,
        write,
        "Model added to the catalog. It needs approval before any use case may call it.",
        "registry/form.html",
        {"title": "Add a model to the catalog", "cancel": "registry:model-list"},
    )
    return error or redirect("registry:model-detail", pk=model.pk)


@permission_required(VIEW_MODELS, "registry.change_catalogmodel")
def model_edit(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(selectors.catalog_models_for(request.user, "change"), pk=pk)
    form = CatalogModelForm(request.POST or None, instance=model)

    def write() -> services.Change:
        data, use_cases = _model_fields(form)
        return services.update_catalog_model(
            model=model, user=request.user, reason=form.cleaned_data["reason"], use_cases=use_cases, **data
        )

    change, error = _save_form(
        request, form, write, "Model saved.", "registry/form.html", {"title": f"Edit {model}", "object": model}
    )
    if error:
        return error
    _material(request, change)
    return redirect("registry:model-detail", pk=model.pk)


@permission_required(VIEW_MODELS, "core.request_decision")
@require_POST
def model_request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(selectors.catalog_models_for(request.user), pk=pk)
    form = DecisionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long.")
        return redirect("registry:model-detail", pk=model.pk)
    try:
        services.request_model_approval(model=model, user=request.user, note=form.cleaned_data["note"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Approval requested. A committee member must decide it.")
    return redirect("registry:model-detail", pk=model.pk)


@permission_required(VIEW_MODELS, "core.view_decision", "core.decide_decision")
@require_POST
def model_decide(request: HttpRequest, pk: int) -> HttpResponse:
    model = get_object_or_404(selectors.catalog_models_for(request.user), pk=pk)
    form = ModelDecideForm(request.POST)
    pending = selectors.model_decisions(model, request.user).filter(status=DecisionStatus.PENDING).first()
    if pending is None:
        messages.error(request, "No approval of this model is pending.")
        return model_detail(request, pk, status=409)
    if not form.is_valid():
        return model_detail(request, pk, form=form, status=400)
    try:
        change = services.decide_model(
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
        return model_detail(request, pk, form=form, status=exc.status)
    messages.success(request, f"Model {form.cleaned_data['decision']}d.")
    _material(request, change)
    return redirect("registry:model-detail", pk=model.pk)


# --- suppliers ------------------------------------------------------------------------------------------------


@permission_required(VIEW_SUPPLIERS)
def supplier_list(request: HttpRequest) -> HttpResponse:
    return _list(request, SupplierFilterSet, selectors.suppliers_for(request.user), "registry/supplier_list.html")


@permission_required(VIEW_SUPPLIERS)
@_exporting
def supplier_export(request: HttpRequest) -> HttpResponse:
    suppliers = _export(request, SupplierFilterSet, selectors.suppliers_for(request.user)).prefetch_related(
        "assessments"
    )
    header = [
        "name",
        "kind",
        "country",
        "contact_email",
        "services",
        "critical",
        "last_assessed_on",
        "last_outcome",
        "next_due",
    ]

    def rows() -> Any:
        for s in suppliers:
            last = s.latest_assessment
            yield [
                s.name,
                s.kind,
                s.country,
                s.contact_email,
                s.services,
                s.critical,
                last.assessed_on if last else "",
                last.outcome if last else "",
                last.next_due if last else "",
            ]

    return csv_response("suppliers.csv", header, rows())


@permission_required(VIEW_SUPPLIERS)
def supplier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(selectors.suppliers_for(request.user), pk=pk)
    return render(
        request,
        "registry/supplier_detail.html",
        {
            "supplier": supplier,
            "assessments": supplier.assessments.select_related("assessor")
            if request.user.has_perm("registry.view_supplierassessment")
            else [],
            "systems": supplier.ai_systems.all(),
            "models": supplier.models.all(),
            "tab": "overview",
        },
    )


@permission_required(VIEW_SUPPLIERS)
def supplier_history(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(selectors.suppliers_for(request.user), pk=pk)
    return render(
        request,
        "registry/history.html",
        {
            "object": supplier,
            "history": selectors.history_of(supplier),
            "tab": "history",
            "tabs": "registry/includes/supplier_tabs.html",
            "supplier": supplier,
        },
    )


@permission_required(VIEW_SUPPLIERS, "registry.add_supplier")
def supplier_create(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)

    def write() -> Supplier:
        data = {name: form.cleaned_data[name] for name in SUPPLIER_FIELDS}
        return services.create_supplier(user=request.user, reason=form.cleaned_data["reason"], **data)

    supplier, error = _save_form(
        request,
        form,
        write,
        "Supplier added.",
        "registry/form.html",
        {"title": "Add a supplier", "cancel": "registry:supplier-list"},
    )
    return error or redirect("registry:supplier-detail", pk=supplier.pk)


@permission_required(VIEW_SUPPLIERS, "registry.change_supplier")
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(selectors.suppliers_for(request.user, "change"), pk=pk)
    form = SupplierForm(request.POST or None, instance=supplier)

    def write() -> Supplier:
        data = {name: form.cleaned_data[name] for name in SUPPLIER_FIELDS}
        return services.update_supplier(
            supplier=supplier, user=request.user, reason=form.cleaned_data["reason"], **data
        )

    _saved, error = _save_form(
        request,
        form,
        write,
        "Supplier saved.",
        "registry/form.html",
        {"title": f"Edit {supplier}", "object": supplier},
    )
    return error or redirect("registry:supplier-detail", pk=supplier.pk)


@permission_required(VIEW_SUPPLIERS, "registry.add_supplierassessment")
def assessment_create(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(selectors.suppliers_for(request.user), pk=pk)
    form = SupplierAssessmentForm(request.POST or None)

    def write() -> Any:
        data = form.cleaned_data
        return services.record_assessment(
            supplier=supplier,
            user=request.user,
            assessed_on=data["assessed_on"],
            assessor=data["assessor"],
            outcome=data["outcome"],
            notes=data["notes"],
            next_due=data["next_due"],
        )

    _saved, error = _save_form(
        request,
        form,
        write,
        "Assessment recorded.",
        "registry/form.html",
        {"title": f"Assess {supplier}", "object": supplier},
    )
    return error or redirect("registry:supplier-detail", pk=supplier.pk)


# --- CSV import -----------------------------------------------------------------------------------------------


def _import(request: HttpRequest, importer: Callable[..., csv_io.ImportResult], what: str, back: str) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csv_io.MAX_IMPORT_BYTES:
            form.add_error("file", f"The file is larger than {csv_io.MAX_IMPORT_BYTES // 1024 // 1024} MB.")
        else:
            try:
                result = importer(user=request.user, data=upload.read())
            except ServiceError as exc:
                raise PermissionDenied from exc
            if result.ok:
                messages.success(request, f"Imported {what}: {result.created} created, {result.updated} updated.")
                return redirect(back)
    status = 400 if form.errors or (result and not result.ok) else 200
    return render(
        request, "registry/import.html", {"form": form, "result": result, "what": what, "back": back}, status=status
    )


@permission_required(VIEW_SYSTEMS, "registry.add_aisystem", EDIT_ALL)
def system_import(request: HttpRequest) -> HttpResponse:
    return _import(request, csv_io.import_ai_systems, "AI systems", "registry:index")


@permission_required(VIEW_USE_CASES, "registry.add_usecase", "registry.change_usecase")
def usecase_import(request: HttpRequest) -> HttpResponse:
    return _import(request, csv_io.import_use_cases, "use cases", "registry:usecase-list")
