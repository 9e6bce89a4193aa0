"""API routes of the management system, under /api/v1/aims/ (route names "api:<basename>-...")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from aims.governance.api import views
from aims.governance.resources import RESOURCES

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
for resource in RESOURCES:
    router.register(resource.path, views.viewset_for(resource), basename=resource.api_basename)
router.register("concerns", views.ConcernViewSet, basename="aims-concern")

urlpatterns = [
    path("organisation/", views.OrganisationProfileView.as_view(), name="organisation"),
    path(
        "organisation/request-approval/",
        views.OrganisationRequestApprovalView.as_view(),
        name="organisation-request-approval",
    ),
    path("scope/", views.ScopeView.as_view(), name="aims-scope"),
    path(
        "document-versions/<int:pk>/request-approval/",
        views.VersionRequestApprovalView.as_view(),
        name="aims-document-version-request-approval",
    ),
    path("kpis/<int:pk>/measurements/", views.KpiMeasurementsView.as_view(), name="aims-kpi-measurements"),
    path(
        "audit-findings/<int:pk>/raise-nonconformity/",
        views.FindingRaiseView.as_view(),
        name="aims-audit-finding-raise",
    ),
    path("nonconformities/<int:pk>/close/", views.NonconformityCloseView.as_view(), name="aims-nonconformity-close"),
    path(
        "management-reviews/<int:pk>/request-closure/",
        views.ReviewRequestClosureView.as_view(),
        name="aims-management-review-request-closure",
    ),
    path("concerns/<int:pk>/triage/", views.ConcernTriageView.as_view(), name="aims-concern-triage"),
    *[
        path(f"{r.path}/<int:pk>/history/", views.history_view_for(r).as_view(), name=f"{r.api_basename}-history")
        for r in RESOURCES
    ],
    *router.urls,
]
