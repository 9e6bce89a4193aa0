from django.urls import path
from rest_framework.routers import DefaultRouter

from controls.api import views
from evidence import artifact_api

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("crosswalk", views.CrosswalkLinkViewSet, basename="crosswalk-link")
router.register("implementations", views.ImplementationViewSet, basename="control-implementation")
router.register("soa/rows", views.SoAEntryViewSet, basename="soa-entry")
router.register("soa/versions", views.SoAVersionViewSet, basename="soa-version")
router.register("evidence-artifacts", artifact_api.ArtifactViewSet, basename="evidence-artifact")

urlpatterns = [
    path("soa/request/", views.SoARequestApprovalView.as_view(), name="soa-request"),
    path("soa/approve/", views.SoAApproveView.as_view(), name="soa-approve"),
    path("soa/reject/", views.SoARejectView.as_view(), name="soa-reject"),
    path("soa/diff/", views.SoADiffView.as_view(), name="soa-diff"),
    path("soa/as-of/", views.SoAAsOfView.as_view(), name="soa-as-of"),
    path(
        "evidence-files/<int:pk>/download/",
        artifact_api.ArtifactFileDownloadView.as_view(),
        name="evidence-artifact-file-download",
    ),
    *router.urls,
]
