"""Pages of the risks app, under /risks/."""

from django.urls import path

from risks import views

app_name = "risks"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.risk_create, name="risk-create"),
    path("export.csv", views.risk_export, name="risk-export"),
    path("import/", views.risk_import, name="risk-import"),
    path("<int:pk>/", views.risk_detail, name="risk-detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk-edit"),
    path("<int:pk>/history/", views.risk_history, name="risk-history"),
    path("<int:pk>/actions/new/", views.action_create, name="action-create"),
    path("actions/<int:pk>/done/", views.action_complete, name="action-complete"),
    path("<int:pk>/owner-accept/", views.risk_owner_accept, name="risk-owner-accept"),
    path("<int:pk>/request-acceptance/", views.risk_request_acceptance, name="risk-request-acceptance"),
    path("<int:pk>/accept/", views.risk_accept, name="risk-accept"),
    path("impact/", views.ia_list, name="ia-list"),
    path("impact/reconcile/", views.ia_reconcile, name="ia-reconcile"),
    path("impact/systems/<int:system_pk>/new/", views.ia_create, name="ia-create"),
    path("impact/<int:pk>/", views.ia_detail, name="ia-detail"),
    path("impact/<int:pk>/edit/", views.ia_edit, name="ia-edit"),
    path("impact/<int:pk>/history/", views.ia_history, name="ia-history"),
    path("impact/<int:pk>/impacts/new/", views.impact_create, name="impact-create"),
    path("impact/<int:pk>/request-signoff/", views.ia_request_signoff, name="ia-request-signoff"),
    path("impact/<int:pk>/signoff/", views.ia_signoff, name="ia-signoff"),
    path("criteria/", views.criteria_list, name="criteria-list"),
    path("criteria/new/", views.criteria_create, name="criteria-create"),
    path("criteria/<int:pk>/", views.criteria_detail, name="criteria-detail"),
    path("criteria/<int:pk>/history/", views.criteria_history, name="criteria-history"),
]
