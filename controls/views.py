"""The catalog browser (frameworks, a framework's tree, a requirement with its crosswalk, search, the crosswalk
list), read-only because the catalog is written by `manage.py load_frameworks`; and the control implementations
the organisation runs, written through the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from aims.core.csv import csv_response
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from controls import selectors, services
from controls.filtersets import CrosswalkLinkFilterSet, ImplementationFilterSet, RequirementFilterSet
from controls.forms import ImplementationForm
from controls.models import ControlImplementation

CATALOG = ("controls.view_framework", "controls.view_requirement")
CROSSWALK = (*CATALOG, "controls.view_crosswalklink")


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@permission_required(*CATALOG)
def index(request: HttpRequest) -> HttpResponse:
    search = RequirementFilterSet(queryset=selectors.requirements_for(request.user))
    return render(
        request,
        "controls/index.html",
        {"frameworks": selectors.frameworks_for(request.user), "search": search},
    )


@permission_required(*CATALOG)
def framework_detail(request: HttpRequest, slug: str) -> HttpResponse:
    framework = get_object_or_404(selectors.frameworks_for(request.user), slug=slug)
    search = RequirementFilterSet(queryset=selectors.requirements_for(request.user))
    search.form.initial["framework"] = framework.slug  # search within the framework shown, by default
    return render(
        request,
        "controls/framework_detail.html",
        {"framework": framework, "tree": selectors.framework_tree(framework, request.user), "search": search},
    )


@permission_required(*CATALOG)
def requirement_list(request: HttpRequest) -> HttpResponse:
    filterset = RequirementFilterSet(request.GET or None, queryset=selectors.requirements_for(request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "controls/requirement_list.html",
        {"filterset": filterset, "page": page, "query": _query_without_page(request)},
        status=400 if filterset.errors else 200,
    )


@permission_required(*CATALOG)
def requirement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    requirement = get_object_or_404(selectors.requirement_detail(request.user), pk=pk)
    crosswalk = (
        selectors.crosswalk_of(requirement, request.user)
        if request.user.has_perm("controls.view_crosswalklink")
        else None
    )
    ancestors = []
    node = requirement.parent
    while node is not None:
        ancestors.insert(0, node)
        node = node.parent
    return render(
        request,
        "controls/requirement_detail.html",
        {
            "requirement": requirement,
            "ancestors": ancestors,
            "children": requirement.children.all(),
            "crosswalk": crosswalk,
            "metrics": selectors.metrics_of(requirement, request.user),
            "implementations": selectors.implementations_of(requirement, request.user),
            "soa_row": selectors.soa_row_of_requirement(requirement, request.user),
        },
    )


@permission_required(*CROSSWALK)
def crosswalk_list(request: HttpRequest) -> HttpResponse:
    filterset = CrosswalkLinkFilterSet(request.GET or None, queryset=selectors.links_for(request.user))
    page = Paginator(filterset.qs, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "controls/crosswalk_list.html",
        {"filterset": filterset, "page": page, "query": _query_without_page(request)},
        status=400 if filterset.errors else 200,
    )


@permission_required(*CROSSWALK)
def crosswalk_export(request: HttpRequest) -> HttpResponse:
    filterset = CrosswalkLinkFilterSet(request.GET or None, queryset=selectors.links_for(request.user))
    if filterset.errors:
        return render(
            request,
            "controls/crosswalk_list.html",
            {"filterset": filterset, "page": None, "query": ""},
            status=400,
        )
    rows = (
        (
            link.from_requirement.framework.short_name,
            link.from_requirement.ref,
            link.from_requirement.title,
            link.to_requirement.framework.short_name,
            link.to_requirement.ref,
            link.to_requirement.title,
            link.reference,
            link.strength,
            link.source,
            "yes" if link.inferred else "no",
            "yes" if link.withdrawn else "no",
            link.note,
        )
        for link in filterset.qs.iterator(chunk_size=500)
    )
    header = [
        "from_framework",
        "from_ref",
        "from_title",
        "to_framework",
        "to_ref",
        "to_title",
        "reference",
        "strength",
        "source",
        "inferred",
        "withdrawn",
        "note",
    ]
    return csv_response("crosswalk.csv", header, rows)


# --- control implementations --------------------------------------------------------------------------------

IMPLEMENTATIONS = ("controls.view_controlimplementation",)


@permission_required(*IMPLEMENTATIONS)
def implementation_list(request: HttpRequest) -> HttpResponse:
    filterset = ImplementationFilterSet(request.GET or None, queryset=selectors.implementations_for(request.user))
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "controls/implementation_list.html",
        {"filterset": filterset, "page": page, "query": _query_without_page(request)},
        status=400 if filterset.errors else 200,
    )


@permission_required(*IMPLEMENTATIONS)
def implementation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    implementation = get_object_or_404(selectors.implementations_for(request.user), pk=pk)
    return render(
        request,
        "controls/implementation_detail.html",
        {
            "implementation": implementation,
            "history": selectors.implementation_history(implementation),
            "control_status": selectors.implementation_status(implementation),
            "results": selectors.check_results_of(implementation, request.user)[:20],
            "artifacts": implementation.evidence_artifacts.order_by("-expires_on")
            if request.user.has_perm("evidence.view_evidenceartifact")
            else [],
            "today": timezone.localdate(),
        },
    )


def _implementation_form(request: HttpRequest, implementation: ControlImplementation | None) -> HttpResponse:
    form = ImplementationForm(request.POST or None, instance=implementation)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.IMPLEMENTATION_FIELDS}
        links = {
            "requirements": list(form.cleaned_data["requirements"]),
            "ai_systems": list(form.cleaned_data["ai_systems"]),
            "use_cases": list(form.cleaned_data["use_cases"]),
        }
        try:
            if implementation is None:
                implementation = services.create_implementation(
                    user=request.user, reason=form.cleaned_data["reason"], **links, **data
                )
            else:
                implementation = services.update_implementation(
                    implementation=implementation,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    **links,
                    **data,
                )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Control {implementation.code} saved.")
            return redirect("controls:implementation-detail", pk=implementation.pk)
    return render(
        request,
        "controls/implementation_form.html",
        {"form": form, "implementation": implementation},
        status=400 if form.errors else 200,
    )


@permission_required(*IMPLEMENTATIONS, "controls.add_controlimplementation")
def implementation_create(request: HttpRequest) -> HttpResponse:
    return _implementation_form(request, None)


@permission_required(*IMPLEMENTATIONS, "controls.change_controlimplementation")
def implementation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    implementation = get_object_or_404(selectors.implementations_for(request.user), pk=pk)
    return _implementation_form(request, implementation)
