from django.urls import path

from controls import soa_views, views
from evidence import artifact_views

app_name = "controls"

urlpatterns = [
    path("", views.index, name="index"),
    path("frameworks/<slug:slug>/", views.framework_detail, name="framework-detail"),
    path("requirements/", views.requirement_list, name="requirement-list"),
    path("requirements/<int:pk>/", views.requirement_detail, name="requirement-detail"),
    path("crosswalk/", views.crosswalk_list, name="crosswalk-list"),
    path("crosswalk/export.csv", views.crosswalk_export, name="crosswalk-export"),
    path("implementations/", views.implementation_list, name="implementation-list"),
    path("implementations/new/", views.implementation_create, name="implementation-create"),
    path("implementations/<int:pk>/", views.implementation_detail, name="implementation-detail"),
    path("implementations/<int:pk>/edit/", views.implementation_edit, name="implementation-edit"),
    # The Statement of Applicability: the draft, its versions, the diff and the version in force on a date.
    path("soa/", soa_views.soa, name="soa"),
    path("soa/rows/<int:pk>/edit/", soa_views.soa_entry_edit, name="soa-entry-edit"),
    path("soa/request/", soa_views.soa_request, name="soa-request"),
    path("soa/decide/", soa_views.soa_decide, name="soa-decide"),
    path("soa/export.csv", soa_views.soa_export, name="soa-export"),
    path("soa/import/", soa_views.soa_import, name="soa-import"),
    path("soa/history/", soa_views.soa_history, name="soa-history"),
    path("soa/versions/", soa_views.soa_version_list, name="soa-version-list"),
    path("soa/versions/<int:pk>/", soa_views.soa_version_detail, name="soa-version-detail"),
    path("soa/versions/<int:pk>/export.csv", soa_views.soa_version_export, name="soa-version-export"),
    path("soa/as-of/", soa_views.soa_as_of, name="soa-as-of"),
    path("soa/diff/", soa_views.soa_diff, name="soa-diff"),
    # Manual evidence artifacts (evidence app models), shown with the controls they evidence.
    path("evidence/", artifact_views.artifact_list, name="artifact-list"),
    path("evidence/new/", artifact_views.artifact_create, name="artifact-create"),
    path("evidence/<int:pk>/", artifact_views.artifact_detail, name="artifact-detail"),
    path("evidence/<int:pk>/edit/", artifact_views.artifact_edit, name="artifact-edit"),
    path("evidence/<int:pk>/files/", artifact_views.artifact_add_files, name="artifact-add-files"),
    path("evidence/files/<int:pk>/download/", artifact_views.file_download, name="artifact-file-download"),
]
