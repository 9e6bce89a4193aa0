"""API routes of the risks app, under /api/v1/risks/ (route names "api:<basename>-...")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from risks.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("risks", views.RiskViewSet, basename="risk")
router.register("impact-assessments", views.ImpactAssessmentViewSet, basename="impact-assessment")
router.register("criteria", views.RiskCriteriaViewSet, basename="risk-criteria")

urlpatterns = [
    path("risks/<int:pk>/history/", views.RiskHistoryView.as_view(), name="risk-history"),
    path("risks/<int:pk>/actions/", views.RiskActionCreateView.as_view(), name="risk-action-create"),
    path("risks/<int:pk>/owner-accept/", views.RiskOwnerAcceptView.as_view(), name="risk-owner-accept"),
    path(
        "risks/<int:pk>/request-acceptance/",
        views.RiskRequestAcceptanceView.as_view(),
        name="risk-request-acceptance",
    ),
    path("risks/<int:pk>/accept/", views.RiskAcceptView.as_view(), name="risk-accept"),
    path("actions/<int:pk>/complete/", views.ActionCompleteView.as_view(), name="risk-action-complete"),
    path("impact-assessments/reconcile/", views.ReconcileView.as_view(), name="impact-assessment-reconcile"),
    path(
        "impact-assessments/<int:pk>/history/",
        views.ImpactAssessmentHistoryView.as_view(),
        name="impact-assessment-history",
    ),
    path("impact-assessments/<int:pk>/impacts/", views.ImpactCreateView.as_view(), name="impact-assessment-impacts"),
    path(
        "impact-assessments/<int:pk>/request-signoff/",
        views.RequestSignOffView.as_view(),
        name="impact-assessment-request-signoff",
    ),
    path("impact-assessments/<int:pk>/signoff/", views.SignOffView.as_view(), name="impact-assessment-signoff"),
    path("criteria/<int:pk>/history/", views.RiskCriteriaHistoryView.as_view(), name="risk-criteria-history"),
    *router.urls,
]
