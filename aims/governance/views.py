"""Pages for the organisation profile: read, edit, history, and asking for approval."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from aims.core import selectors as core_selectors
from aims.core.decorators import permission_required
from aims.core.exceptions import ServiceError
from aims.governance import selectors, services
from aims.governance.forms import DecisionRequestForm, OrganisationProfileForm


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
