"""Pages of the AI system register, under /register/."""

from django.urls import path

from registry import views

app_name = "registry"

urlpatterns = [
    path("", views.index, name="index"),
    path("systems/new/", views.system_create, name="system-create"),
    path("systems/export.csv", views.system_export, name="system-export"),
    path("systems/import/", views.system_import, name="system-import"),
    path("systems/<int:pk>/", views.system_detail, name="system-detail"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system-edit"),
    path("systems/<int:pk>/classify/", views.system_classify, name="system-classify"),
    path("systems/<int:pk>/history/", views.system_history, name="system-history"),
    path("systems/<int:pk>/use-cases/new/", views.usecase_create, name="usecase-create"),
    path("use-cases/", views.usecase_list, name="usecase-list"),
    path("use-cases/export.csv", views.usecase_export, name="usecase-export"),
    path("use-cases/import/", views.usecase_import, name="usecase-import"),
    path("use-cases/<slug:key>/", views.usecase_detail, name="usecase-detail"),
    path("use-cases/<slug:key>/edit/", views.usecase_edit, name="usecase-edit"),
    path("use-cases/<slug:key>/history/", views.usecase_history, name="usecase-history"),
    path("models/", views.model_list, name="model-list"),
    path("models/new/", views.model_create, name="model-create"),
    path("models/export.csv", views.model_export, name="model-export"),
    path("models/<int:pk>/", views.model_detail, name="model-detail"),
    path("models/<int:pk>/edit/", views.model_edit, name="model-edit"),
    path("models/<int:pk>/history/", views.model_history, name="model-history"),
    path("models/<int:pk>/request-approval/", views.model_request_approval, name="model-request-approval"),
    path("models/<int:pk>/decide/", views.model_decide, name="model-decide"),
    path("suppliers/", views.supplier_list, name="supplier-list"),
    path("suppliers/new/", views.supplier_create, name="supplier-create"),
    path("suppliers/export.csv", views.supplier_export, name="supplier-export"),
    path("suppliers/<int:pk>/", views.supplier_detail, name="supplier-detail"),
    path("suppliers/<int:pk>/edit/", views.supplier_edit, name="supplier-edit"),
    path("suppliers/<int:pk>/history/", views.supplier_history, name="supplier-history"),
    path("suppliers/<int:pk>/assessments/new/", views.assessment_create, name="assessment-create"),
]
