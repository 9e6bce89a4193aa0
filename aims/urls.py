"""URL configuration: pages at the root, the API under /api/, the read-only admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from aims.core import views as core_views

handler400 = "aims.core.api.errors.api_bad_request"
handler403 = "aims.core.api.errors.api_permission_denied"
handler404 = "aims.core.api.errors.api_not_found"
handler500 = "aims.core.api.errors.api_server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("aims.accounts.urls")),
    path("", include("aims.core.urls")),
    path("", include("aims.governance.urls")),
    path("register/", include("registry.urls")),
    path("controls/", include("controls.urls")),
    path("risks/", include("risks.urls")),
    path("evidence/", include("evidence.urls")),
    path("policies/", include("policies.urls")),
    path("audit/", include("aims.audit.urls")),
    path("reports/", include("aims.reports.urls")),
    path("dashboard/", include("aims.dashboard.urls")),
    path("api/", include(("aims.api_urls", "api"))),
    path("admin/", admin.site.urls),
]
