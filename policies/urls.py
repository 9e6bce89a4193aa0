"""Pages of policy bundles, under /policies/."""

from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("", views.index, name="index"),
    path("draft/", views.draft, name="draft"),
    path("draft/request-publication/", views.request_publication, name="request-publication"),
    path("history/", views.history, name="history"),
    path("bundles/<int:pk>/", views.bundle_detail, name="bundle-detail"),
    path("bundles/<int:pk>/decide/", views.bundle_decide, name="bundle-decide"),
    path("bundles/<int:pk>/bundle.json", views.bundle_json, name="bundle-json"),
]
