"""The dashboard (the management system at a glance) and each AI system's page. Views parse the period, call
the selectors and render; a bad period answers 400 with the reason and the default period's figures."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from aims.core.decorators import permission_required
from aims.dashboard import selectors
from aims.dashboard.forms import Period, parse_period
from aims.dashboard.roles import VIEW, VIEW_OWN_SYSTEMS
from registry.models import AISystem


def panels_cache_key(user_id: int, period: Period) -> str:
    return f"dashboard:panels:{user_id}:{period.start}:{period.end}"


def panels(user: object, period: Period) -> tuple[str, object, int]:
    """The rendered panels for a reader and period, their time, and the cache's time to live (0: not cached).

    The rendered panels are kept per reader and period for the cache's time to live (the page says as of when),
    so a reader who comes back, or reloads, within it costs one cache read (selectors.cached_figures says why
    the key is time-based only). The dashboard and the home page both show them.
    """
    ttl = int(getattr(settings, "AIMS_DASHBOARD_CACHE_SECONDS", 60))
    key = panels_cache_key(user.pk, period)  # type: ignore[attr-defined]
    cached = cache.get(key) if ttl > 0 else None
    if cached is None:
        context = selectors.dashboard_context(user, period.start, period.end)
        cached = (render_to_string("dashboard/_panels.html", context), context["generated_at"])
        if ttl > 0:
            cache.set(key, cached, ttl)
    return cached[0], cached[1], ttl


@permission_required(VIEW)
def index(request: HttpRequest) -> HttpResponse:
    period, form = parse_period(request.GET)
    panels_html, generated_at, ttl = panels(request.user, period)
    context = {"period": period, "form": form, "panels_html": panels_html, "generated_at": generated_at, "ttl": ttl}
    return render(request, "dashboard/index.html", context, status=400 if form.errors else 200)


def system(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (user.has_perm(VIEW) or user.has_perm(VIEW_OWN_SYSTEMS)):
        raise PermissionDenied
    ai_system = selectors.systems_for(user).select_related("owner", "classified_by").filter(pk=pk).first()
    if ai_system is None:
        # The register already tells every role holder which systems exist, so refusing says nothing new.
        if AISystem.objects.filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404("No such AI system.")
    period, form = parse_period(request.GET)
    ttl = int(getattr(settings, "AIMS_DASHBOARD_CACHE_SECONDS", 60))
    if ttl <= 0:
        context = selectors.system_context(user, ai_system, period.start, period.end)
        context["form"] = form
        return render(request, "dashboard/system.html", context, status=400 if form.errors else 200)
    # As for the dashboard: the rendered panels per reader, system and period, for the time to live.
    key = f"{panels_cache_key(user.pk, period)}:system:{ai_system.pk}"
    cached = cache.get(key)
    if cached is None:
        context = selectors.system_context(user, ai_system, period.start, period.end)
        cached = (render_to_string("dashboard/_system_panels.html", context), context["generated_at"])
        cache.set(key, cached, ttl)
    panels, generated_at = cached
    context = {
        "system": ai_system,
        "period": period,
        "form": form,
        "panels_html": panels,
        "generated_at": generated_at,
        "ttl": ttl,
    }
    return render(request, "dashboard/system.html", context, status=400 if form.errors else 200)
