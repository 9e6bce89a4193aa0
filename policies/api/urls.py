"""API routes of policy bundles, under /api/v1/policies/ (route names "api:policy-bundle-...")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from policies.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("bundles", views.PolicyBundleViewSet, basename="policy-bundle")

urlpatterns = [
    path("bundles/draft/", views.DraftView.as_view(), name="policy-bundle-draft"),
    path(
        "bundles/request-publication/",
        views.RequestPublicationView.as_view(),
        name="policy-bundle-request-publication",
    ),
    *router.urls,
]
