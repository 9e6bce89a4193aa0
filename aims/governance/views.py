"""Pages of the management system. Views parse, call a service or selector, and render.

The organisation profile has its own pages (below); the records in resources.py get generated list, detail,
create, edit and History pages; the operations (approve a version, record a KPI value, triage a concern, close
a nonconformity, close a review) are explicit POST views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from aims.core import selectors as core_selectors
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from aims.governance import markdown, selectors, services
from aims.governance.filtersets import filterset_for
from aims.governance.forms import (
    ChannelForm,
    CloseForm,
    ConcernForm,
    DecisionRequestForm,
    KpiValueForm,
    OrganisationProfileForm,
    PublicConcernForm,
    RaiseNonconformityForm,
    ReviewCreateForm,
    ScopeForm,
    TriageForm,
    VersionForm,
    form_for,
)
from aims.governance.models import (
    AimsScope,
    AuditFinding,
    Concern,
    Document,
    DocumentVersion,
    Kpi,
    ManagementReview,
    Nonconformity,
)
from aims.governance.resources import BY_SLUG, TOP_LEVEL, Resource, children_of
from aims.governance.review_inputs import INPUTS

PAGE_SIZE = 25
# Records whose detail page has a section of its own (templates/governance/extra/<slug>.html).
EXTRA_SECTIONS = {"document", "version", "objective", "incident", "audit", "nonconformity", "review"}


# --- organisation profile --------------------------------------------------------------------------------------------


@permission_required("governance.view_organisationprofile")
def organisation(request: HttpRequest) -> HttpResponse:
    profile = selectors.organisation_profile(request.user)
    context = {"profile": profile, "request_form": DecisionRequestForm()}
    if profile is not None:
        approval = core_selectors.latest_approval_of(profile, request.user)
        context |= {
            "approval": approval,
            "approved_current": approval is not None and approval.subject_version == profile.version,
            "pending": core_selectors.pending_decision_on(profile, request.user),
            "decisions": core_selectors.decisions_on(profile, request.user)[:10],
        }
    return render(request, "governance/organisation.html", context)


@permission_required("governance.change_organisationprofile")
def organisation_edit(request: HttpRequest) -> HttpResponse:
    profile = selectors.organisation_profile(request.user)
    form = OrganisationProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.PROFILE_FIELDS}
        try:
            services.update_organisation_profile(user=request.user, reason=form.cleaned_data["reason"], **data)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Organisation profile saved.")
            return redirect("governance:organisation")
    status = 400 if form.errors else 200
    return render(request, "governance/organisation_form.html", {"form": form, "profile": profile}, status=status)


@permission_required("governance.view_organisationprofile")
def organisation_history(request: HttpRequest) -> HttpResponse:
    profile = selectors.organisation_profile(request.user)
    if profile is None:
        raise Http404
    return render(
        request,
        "governance/organisation_history.html",
        {"profile": profile, "history": selectors.profile_history(profile)},
    )


@permission_required("governance.view_organisationprofile", "core.request_decision")
@require_POST
def organisation_request_approval(request: HttpRequest) -> HttpResponse:
    profile = selectors.organisation_profile(request.user)
    if profile is None:
        raise Http404
    form = DecisionRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note is too long.")
        return redirect("governance:organisation")
    try:
        services.request_profile_approval(profile=profile, user=request.user, note=form.cleaned_data["note"])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Approval requested. A committee member other than you must decide it.")
    return redirect("governance:organisation")


# --- helpers ----------------------------------------------------------------------------------------------


def _apply_errors(form: Any, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    elif isinstance(exc, ServiceError):
        for name, msgs in exc.fields.items():
            form.add_error(name if name in form.fields else None, msgs)
        if not exc.fields:
            form.add_error(None, exc.message)


def _run(request: HttpRequest, form: Any, write: Callable[[], Any]) -> Any:
    """Run a service for a valid posted form; put its errors back on the form. None if it did not run."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return write()
    except (ValidationError, ServiceError) as exc:
        _apply_errors(form, exc)
        return None


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str, **extra: Any) -> HttpResponse:
    status = 400 if form.errors else 200
    return render(
        request, "governance/form.html", {"form": form, "title": title, "cancel": cancel, **extra}, status=status
    )


def _post_op(request: HttpRequest, back: str, write: Callable[[], Any], success: str) -> HttpResponse:
    try:
        write()
    except ServiceError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(back)


def _display(obj: models.Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(o) for o in getattr(obj, name).all()) or "—"
    if getattr(field, "choices", None):
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "—" if value in (None, "") else value


def _describe(value: Any) -> str:
    """A frozen review input as people read it: lists and mappings flattened into short text."""
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in value.items()) or "none"
    if isinstance(value, list):
        return "; ".join(_describe(v) for v in value) or "none"
    if value is None:
        return "—"
    return str(value)


def _describe_input(data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("available", False):
        return {"available": False, "note": data.get("note", "not available yet")}
    skip = {"label", "available"}
    rows = [(key.replace("_", " ").capitalize(), _describe(value)) for key, value in data.items() if key not in skip]
    return {"available": True, "rows": rows}


def _facts(obj: models.Model, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    return [(str(obj._meta.get_field(n).verbose_name).capitalize(), _display(obj, n)) for n in names]


def _detail_url(resource: Resource, obj: models.Model) -> str:
    return reverse(f"governance:{resource.slug}-detail", kwargs={"pk": obj.pk})


# --- generic record pages --------------------------------------------------------------------------------------------


def make_list(resource: Resource) -> Callable[..., HttpResponse]:
    @permission_required(resource.view_perm)
    def view(request: HttpRequest) -> HttpResponse:
        filterset = filterset_for(resource)(
            request.GET or None, queryset=selectors.records_for(resource.model, request.user)
        )
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        rows = [(obj, [_display(obj, c) for c in resource.columns]) for obj in page]
        headers = [str(resource.model._meta.get_field(c).verbose_name).capitalize() for c in resource.columns]
        return render(
            request,
            "governance/list.html",
            {
                "resource": resource,
                "page": page,
                "rows": rows,
                "headers": headers,
                "may_add": request.user.has_perm(resource.add_perm),
                "filterset": filterset,
                "query": query.urlencode(),
                "matrix": selectors.responsibility_matrix(request.user) if resource.slug == "responsibility" else None,
            },
            status=400 if filterset.errors else 200,
        )

    view.__name__ = f"{resource.slug}_list"
    return view


def _detail_context(request: HttpRequest, resource: Resource, obj: Any) -> dict[str, Any]:
    """What the detail page of each record shows beyond its fields."""
    now = timezone.now()
    extra: dict[str, Any] = {}
    if isinstance(obj, Document):
        versions = list(obj.versions.select_related("created_by"))
        extra["versions"] = versions
        extra["approved"] = obj.approved_version
        extra["latest"] = obj.latest_version
        extra["may_mark_reviewed"] = request.user.pk == obj.owner_id or request.user.has_perm(resource.change_perm)
    elif isinstance(obj, DocumentVersion):
        extra["rendered"] = markdown.render(obj.body)
        extra["request_form"] = DecisionRequestForm()
        extra["decisions"] = core_selectors.decisions_on(obj, request.user)[:10]
    elif resource.slug == "objective":
        extra["kpi_form"] = KpiValueForm(initial={"measured_on": timezone.localdate()})
        extra["kpis"] = [(k, list(k.measurements.all()[:10])) for k in obj.kpis.all()]
    elif resource.slug == "incident":
        extra["deadline"] = obj.deadline
        extra["countdown"] = obj.time_left(now)
        extra["overdue"] = bool(obj.deadline and not obj.reported_to_authority_at and obj.deadline.is_overdue(now))
    elif resource.slug == "audit":
        extra["raise_form"] = RaiseNonconformityForm()
    elif isinstance(obj, Nonconformity):
        extra["close_form"] = CloseForm()
    elif isinstance(obj, ManagementReview):
        extra["inputs"] = [(label, _describe_input(obj.inputs.get(key, {}))) for key, label in INPUTS]
        extra["request_form"] = DecisionRequestForm()
        extra["decisions_on"] = core_selectors.decisions_on(obj, request.user)[:10]
    return extra


def make_detail(resource: Resource) -> Callable[..., HttpResponse]:
    @permission_required(resource.view_perm)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(selectors.records_for(resource.model, request.user), pk=pk)
        children = []
        for child in children_of(resource):
            records = list(child.model._default_manager.filter(**{child.parent: obj}))
            rows = [(c, [_display(c, col) for col in child.columns]) for c in records]
            changeable = selectors.records_for(child.model, request.user, "change").filter(**{child.parent: obj})
            headers = [str(child.model._meta.get_field(col).verbose_name).capitalize() for col in child.columns]
            children.append(
                {
                    "resource": child,
                    "rows": rows,
                    "headers": headers,
                    "may_add": request.user.has_perm(child.add_perm),
                    # One link per row in the template: offered only when every row is the user's to change
                    # (an owner sees other owners' actions too; each detail page still offers their own).
                    "may_edit": child.editable
                    and request.user.has_perm(child.change_perm)
                    and changeable.count() == len(records),
                }
            )
        context = {
            "resource": resource,
            "object": obj,
            "facts": _facts(obj, resource.fields),
            "children": children,
            "tab": "overview",
            "today": timezone.localdate(),
            "may_edit": resource.editable
            and selectors.records_for(resource.model, request.user, "change").filter(pk=obj.pk).exists(),
            "extra_template": f"governance/extra/{resource.slug}.html" if resource.slug in EXTRA_SECTIONS else None,
            **_detail_context(request, resource, obj),
        }
        return render(request, "governance/detail.html", context)

    view.__name__ = f"{resource.slug}_detail"
    return view


def make_history(resource: Resource) -> Callable[..., HttpResponse]:
    @permission_required(resource.view_perm)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(selectors.records_for(resource.model, request.user), pk=pk)
        return render(
            request,
            "governance/history.html",
            {"resource": resource, "object": obj, "history": selectors.history_of(obj), "tab": "history"},
        )

    view.__name__ = f"{resource.slug}_history"
    return view


def make_create(resource: Resource) -> Callable[..., HttpResponse]:
    form_class = form_for(resource)

    @permission_required(resource.view_perm, resource.add_perm)
    def view(request: HttpRequest) -> HttpResponse:
        if resource.slug == "review":
            return review_create(request)
        form = form_class(request.POST or None)
        obj = _run(
            request,
            form,
            lambda: services.create_record(
                model=resource.model,
                user=request.user,
                reason=form.cleaned_data["reason"],
                **{n: form.cleaned_data[n] for n in resource.fields},
            ),
        )
        if obj is not None:
            messages.success(request, f"{resource.model._meta.verbose_name.capitalize()} saved.")
            return redirect(_detail_url(resource, obj))
        return _form_page(
            request, form, f"New {resource.model._meta.verbose_name}", f"governance:{resource.slug}-list"
        )

    view.__name__ = f"{resource.slug}_create"
    return view


def make_child_create(resource: Resource) -> Callable[..., HttpResponse]:
    form_class = form_for(resource)
    parent_model = resource.model._meta.get_field(resource.parent).related_model  # type: ignore[arg-type]
    parent_resource = next(r for r in BY_SLUG.values() if r.model is parent_model)

    @permission_required(resource.view_perm, resource.add_perm)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        parent = get_object_or_404(selectors.records_for(parent_model, request.user), pk=pk)
        back = _detail_url(parent_resource, parent)
        if resource.slug == "version":
            form: Any = VersionForm(request.POST or None, request.FILES or None)
            obj = _run(
                request,
                form,
                lambda: services.add_document_version(
                    document=parent,
                    user=request.user,
                    body=form.cleaned_data["body"],
                    change_summary=form.cleaned_data["change_summary"],
                    attachment=form.cleaned_data["attachment"],
                ),
            )
        else:
            form = form_class(request.POST or None)
            obj = _run(
                request,
                form,
                lambda: services.create_record(
                    model=resource.model,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    **{resource.parent: parent},
                    **{n: form.cleaned_data[n] for n in resource.fields},
                ),
            )
        if obj is not None:
            messages.success(request, f"{resource.model._meta.verbose_name.capitalize()} saved.")
            return redirect(back)
        return _form_page(
            request, form, f"New {resource.model._meta.verbose_name} for {parent}", "", back_url=back, multipart=True
        )

    view.__name__ = f"{resource.slug}_create"
    return view


def make_edit(resource: Resource) -> Callable[..., HttpResponse]:
    form_class = form_for(resource)

    @permission_required(resource.view_perm, resource.change_perm)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        # Readable but not theirs to change (another owner's action): 403, as the API and the register answer;
        # 404 stays for what the user may not read at all.
        obj = get_object_or_404(selectors.records_for(resource.model, request.user), pk=pk)
        if not selectors.records_for(resource.model, request.user, "change").filter(pk=pk).exists():
            raise PermissionDenied
        form = form_class(request.POST or None, instance=obj)
        # A ModelForm writes into its instance while validating: give the service a fresh copy instead.
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        saved = _run(
            request,
            form,
            lambda: services.update_record(
                obj=fresh,
                user=request.user,
                reason=form.cleaned_data["reason"],
                **{n: form.cleaned_data[n] for n in resource.fields},
            ),
        )
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect(_detail_url(resource, saved))
        return _form_page(request, form, f"Edit {obj}", "", back_url=_detail_url(resource, obj))

    view.__name__ = f"{resource.slug}_edit"
    return view


# --- operations ----------------------------------------------------------------------------------------------


@permission_required("governance.view_documentversion", "core.request_decision")
@require_POST
def version_request_approval(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(selectors.records_for(DocumentVersion, request.user), pk=pk)
    form = DecisionRequestForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _post_op(
        request,
        reverse("governance:version-detail", kwargs={"pk": pk}),
        lambda: services.request_document_approval(version=version, user=request.user, note=note),
        "Approval requested. A committee member other than you must decide it.",
    )


@permission_required("governance.view_documentversion")
def version_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """The file attached to a version, downloaded (never shown inline, so it cannot run in the portal's origin)."""
    version = get_object_or_404(selectors.records_for(DocumentVersion, request.user), pk=pk)
    if not version.attachment:
        raise Http404
    try:
        handle = version.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = version.attachment.name.rsplit("/", 1)[-1]
    response = FileResponse(handle, as_attachment=True, filename=name, content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@permission_required("governance.view_document")
@require_POST
def document_mark_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(selectors.records_for(Document, request.user), pk=pk)
    if request.user.pk != document.owner_id and not request.user.has_perm("governance.change_document"):
        raise PermissionDenied
    return _post_op(
        request,
        reverse("governance:document-detail", kwargs={"pk": pk}),
        lambda: services.mark_document_reviewed(document=document, user=request.user),
        "Review recorded; the next one is scheduled.",
    )


@permission_required("governance.view_kpi", "governance.add_kpimeasurement")
@require_POST
def kpi_record(request: HttpRequest, pk: int) -> HttpResponse:
    kpi = get_object_or_404(selectors.records_for(Kpi, request.user), pk=pk)
    back = reverse("governance:objective-detail", kwargs={"pk": kpi.objective_id})
    form = KpiValueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a number and a date.")
        return redirect(back)
    return _post_op(
        request,
        back,
        lambda: services.record_kpi_value(kpi=kpi, user=request.user, **form.cleaned_data),
        "Value recorded.",
    )


@permission_required("governance.view_auditfinding", "governance.add_nonconformity")
@require_POST
def finding_raise_nonconformity(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(selectors.records_for(AuditFinding, request.user), pk=pk)
    back = reverse("governance:audit-detail", kwargs={"pk": finding.audit_id})
    form = RaiseNonconformityForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an owner.")
        return redirect(back)
    return _post_op(
        request,
        back,
        lambda: services.raise_nonconformity_from_finding(
            finding=finding, user=request.user, owner=form.cleaned_data["owner"]
        ),
        "Nonconformity raised.",
    )


@permission_required("governance.view_nonconformity", "governance.change_nonconformity")
@require_POST
def nonconformity_close(request: HttpRequest, pk: int) -> HttpResponse:
    nc = get_object_or_404(selectors.records_for(Nonconformity, request.user), pk=pk)
    form = CloseForm(request.POST)
    review = form.cleaned_data["effectiveness_review"] if form.is_valid() else ""
    return _post_op(
        request,
        reverse("governance:nonconformity-detail", kwargs={"pk": pk}),
        lambda: services.close_nonconformity(nonconformity=nc, user=request.user, effectiveness_review=review),
        "Nonconformity closed.",
    )


def review_create(request: HttpRequest) -> HttpResponse:
    form = ReviewCreateForm(request.POST or None)
    review = _run(request, form, lambda: services.create_management_review(user=request.user, **form.cleaned_data))
    if review is not None:
        messages.success(request, "Management review created; its inputs are assembled and frozen.")
        return redirect("governance:review-detail", pk=review.pk)
    return _form_page(request, form, "New management review", "governance:review-list")


@permission_required("governance.view_managementreview", "core.request_decision")
@require_POST
def review_request_closure(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(selectors.records_for(ManagementReview, request.user), pk=pk)
    form = DecisionRequestForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _post_op(
        request,
        reverse("governance:review-detail", kwargs={"pk": pk}),
        lambda: services.request_review_closure(review=review, user=request.user, note=note),
        "Closure requested. A committee member other than you must decide it.",
    )


# --- scope ----------------------------------------------------------------------------------------------


@permission_required("governance.view_aimsscope")
def scope(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/scope.html", {"scope": selectors.aims_scope(request.user)})


@permission_required("governance.view_aimsscope", "governance.change_aimsscope")
def scope_edit(request: HttpRequest) -> HttpResponse:
    current = selectors.aims_scope(request.user)
    form = ScopeForm(request.POST or None, instance=current)
    fields = ScopeForm.Meta.fields

    def write() -> AimsScope:
        data = {n: form.cleaned_data[n] for n in fields}
        if current is None:
            return services.create_record(
                model=AimsScope, user=request.user, reason=form.cleaned_data["reason"], **data
            )
        fresh = AimsScope.objects.get(pk=current.pk)
        return services.update_record(obj=fresh, user=request.user, reason=form.cleaned_data["reason"], **data)

    if _run(request, form, write) is not None:
        messages.success(request, "Scope saved.")
        return redirect("governance:scope")
    return _form_page(request, form, "AIMS scope", "governance:scope")


@permission_required("governance.view_aimsscope")
def scope_history(request: HttpRequest) -> HttpResponse:
    current = selectors.aims_scope(request.user)
    if current is None:
        raise Http404
    return render(
        request,
        "governance/history.html",
        {"object": current, "history": selectors.history_of(current), "back_url": reverse("governance:scope")},
    )


# --- concerns ----------------------------------------------------------------------------------------------


def concern_raise(request: HttpRequest) -> HttpResponse:
    """Any logged-in person may raise a concern, with or without a role (A.3.3)."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    form = ConcernForm(request.POST or None)
    concern = _run(request, form, lambda: services.raise_concern(user=request.user, **form.cleaned_data))
    if concern is not None:
        messages.success(request, "Thank you. Your concern has been received and will be triaged.")
        return redirect("governance:my-work")
    return _form_page(request, form, "Raise a concern about AI", "governance:my-work")


def concern_public(request: HttpRequest) -> HttpResponse:
    """The unauthenticated form for external reports (A.8.3): absent unless switched on, and rate-limited."""
    if not selectors.concern_channel().public_form_enabled:
        raise Http404
    form = PublicConcernForm(request.POST or None)
    if request.method == "POST" and not services.public_form_allowed(request.META.get("REMOTE_ADDR", "")):
        return render(request, "governance/concern_thanks.html", {"limited": True}, status=429)
    concern = _run(
        request,
        form,
        lambda: services.raise_concern(user=None, external=True, **form.cleaned_data),
    )
    if concern is not None:
        return render(request, "governance/concern_thanks.html", {"limited": False})
    return _form_page(request, form, "Report a concern about our AI", "")


@permission_required("governance.view_concern")
def concern_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.records_for(Concern, request.user).select_related("ai_system", "reporter")
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(c, c.reporter_for(request.user)) for c in page]
    channel = selectors.concern_channel()
    return render(
        request,
        "governance/concern_list.html",
        {
            "page": page,
            "rows": rows,
            "channel": channel,
            "channel_form": ChannelForm(initial={"public_form_enabled": channel.public_form_enabled}),
        },
    )


@permission_required("governance.view_concern")
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(selectors.records_for(Concern, request.user), pk=pk)
    return render(
        request,
        "governance/concern_detail.html",
        {
            "concern": concern,
            "reporter": concern.reporter_for(request.user),
            "show_contact": selectors.concern_reporter_visible(concern, request.user),
            "form": TriageForm(initial={"status": concern.status, "triage_notes": concern.triage_notes}),
            "history": selectors.history_of(concern),
        },
    )


@permission_required("governance.view_concern", "governance.change_concern")
@require_POST
def concern_triage(request: HttpRequest, pk: int) -> HttpResponse:
    concern = get_object_or_404(selectors.records_for(Concern, request.user), pk=pk)
    form = TriageForm(request.POST)
    back = reverse("governance:concern-detail", kwargs={"pk": pk})
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(back)
    data = form.cleaned_data
    return _post_op(
        request,
        back,
        lambda: services.triage_concern(
            concern=concern,
            user=request.user,
            status=data["status"],
            triage_notes=data["triage_notes"],
            create_incident=data["create_incident"],
            severity=data["severity"] or "medium",
        ),
        "Concern triaged.",
    )


@permission_required("governance.view_concernchannel", "governance.change_concernchannel")
@require_POST
def concern_channel(request: HttpRequest) -> HttpResponse:
    form = ChannelForm(request.POST)
    enabled = form.is_valid() and form.cleaned_data["public_form_enabled"]
    return _post_op(
        request,
        reverse("governance:concern-list"),
        lambda: services.set_public_concern_form(user=request.user, enabled=enabled),
        "Public form " + ("switched on." if enabled else "switched off."),
    )


# --- hub and my work ----------------------------------------------------------------------------------------------


@permission_required("governance.view_objective")
def index(request: HttpRequest) -> HttpResponse:
    sections = [r for r in TOP_LEVEL if request.user.has_perm(r.view_perm)]
    return render(request, "governance/index.html", {"sections": sections})


def my_work(request: HttpRequest) -> HttpResponse:
    """Each person's reminders: reviews, actions, training and deadlines that fall to them."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    reminders = selectors.my_work(request.user)
    return render(request, "governance/my_work.html", {"reminders": reminders, "today": timezone.localdate()})
