"""API routes of the register, under /api/v1/registry/ (route names "api:<basename>-...")."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from registry.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False
router.register("ai-systems", views.AISystemViewSet, basename="registry-ai-system")
router.register("use-cases", views.UseCaseViewSet, basename="registry-use-case")
router.register("models", views.CatalogModelViewSet, basename="registry-model")
router.register("suppliers", views.SupplierViewSet, basename="registry-supplier")

urlpatterns = [
    path("ai-systems/<int:pk>/classify/", views.ClassifyView.as_view(), name="registry-ai-system-classify"),
    path(
        "models/<int:pk>/request-approval/",
        views.ModelRequestApprovalView.as_view(),
        name="registry-model-request-approval",
    ),
    path("models/<int:pk>/approve/", views.ModelApproveView.as_view(), name="registry-model-approve"),
    path("models/<int:pk>/reject/", views.ModelRejectView.as_view(), name="registry-model-reject"),
    path("suppliers/<int:pk>/assessments/", views.SupplierAssessView.as_view(), name="registry-supplier-assess"),
    path("ai-systems/<int:pk>/history/", views.AISystemHistoryView.as_view(), name="registry-ai-system-history"),
    path("use-cases/<slug:key>/history/", views.UseCaseHistoryView.as_view(), name="registry-use-case-history"),
    path("models/<int:pk>/history/", views.CatalogModelHistoryView.as_view(), name="registry-model-history"),
    path("suppliers/<int:pk>/history/", views.SupplierHistoryView.as_view(), name="registry-supplier-history"),
    *router.urls,
]
