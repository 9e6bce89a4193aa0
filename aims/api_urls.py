"""Every API route, under /api/. Apps add their routers here."""

from django.conf import settings
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from aims.accounts.api.views import MeView
from aims.audit.api.views import AuditEventViewSet
from aims.core.api import views as core_views
from aims.core.api.docs import SchemaView, SwaggerView
from evidence.api import ingest as evidence_ingest
from policies.api import opa as policies_opa

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("decisions", core_views.DecisionViewSet, basename="decision")
router.register("audit/events", AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/me/", MeView.as_view(), name="me"),
    path("evidence/v1/events", evidence_ingest.events, name="evidence-ingest"),
    path("evidence/v1/opa/logs", policies_opa.logs, name="evidence-opa-logs"),
    path("v1/decisions/<int:pk>/approve/", core_views.DecisionApproveView.as_view(), name="decision-approve"),
    path("v1/decisions/<int:pk>/reject/", core_views.DecisionRejectView.as_view(), name="decision-reject"),
    path("v1/decisions/<int:pk>/withdraw/", core_views.DecisionWithdrawView.as_view(), name="decision-withdraw"),
    path("v1/", include(router.urls)),
    path("v1/aims/", include("aims.governance.api.urls")),
    path("v1/registry/", include("registry.api.urls")),
    path("v1/controls/", include("controls.api.urls")),
    path("v1/risks/", include("risks.api.urls")),
    path("v1/policies/", include("policies.api.urls")),
    path("v1/evidence/", include("evidence.api.urls")),
    path("v1/reports/", include("aims.reports.api.urls")),
    path("enforcement/v1/", include("policies.api.enforcement_urls")),
]

if settings.AIMS_BENCH_ENDPOINTS:
    # Only the ingestion benchmark's own server turns this on: the naive path it measures against.
    from evidence.api.naive import NaiveIngestView

    urlpatterns.append(path("evidence/bench/naive-events", NaiveIngestView.as_view(), name="evidence-bench-naive"))
