"""The reports API, under /api/v1/reports/."""

from django.urls import path

from aims.reports.api import views

run_list = views.ReportRunViewSet.as_view({"get": "list", "post": "create"})
run_detail = views.ReportRunViewSet.as_view({"get": "retrieve"})

urlpatterns = [
    path("", run_list, name="report-run-list"),
    path("kinds/", views.ReportKindListView.as_view(), name="report-kind-list"),
    path("<int:pk>/", run_detail, name="report-run-detail"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="report-run-download"),
]
