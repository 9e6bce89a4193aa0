"""The evidence explorer's API, under /api/v1/evidence/ (route names "api:evidence-<basename>-list")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from evidence.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("events", views.EventViewSet, basename="evidence-event")
router.register("sources", views.SourceViewSet, basename="evidence-source")
router.register("checkpoints", views.CheckpointViewSet, basename="evidence-checkpoint")
router.register("check-results", views.CheckResultViewSet, basename="evidence-check-result")

urlpatterns = [
    path(
        "oscal/assessment-results/",
        views.OscalAssessmentResultsView.as_view(),
        name="evidence-oscal-assessment-results",
    ),
    *router.urls,
]
