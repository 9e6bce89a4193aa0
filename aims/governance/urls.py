"""Pages of the management system: the organisation profile, /aims/... for the records, /my-work/."""

from django.urls import path

from aims.governance import views
from aims.governance.resources import CHILDREN, RESOURCES, TOP_LEVEL

app_name = "governance"

urlpatterns = [
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisation/history/", views.organisation_history, name="organisation-history"),
    path("organisation/request-approval/", views.organisation_request_approval, name="organisation-request-approval"),
    path("aims/", views.index, name="index"),
    path("aims/scope/", views.scope, name="scope"),
    path("aims/scope/edit/", views.scope_edit, name="scope-edit"),
    path("aims/scope/history/", views.scope_history, name="scope-history"),
    path(
        "aims/document-versions/<int:pk>/request-approval/",
        views.version_request_approval,
        name="version-request-approval",
    ),
    path("aims/document-versions/<int:pk>/attachment/", views.version_attachment, name="version-attachment"),
    path("aims/documents/<int:pk>/reviewed/", views.document_mark_reviewed, name="document-reviewed"),
    path("aims/kpis/<int:pk>/record/", views.kpi_record, name="kpi-record"),
    path("aims/audit-findings/<int:pk>/raise-nonconformity/", views.finding_raise_nonconformity, name="finding-raise"),
    path("aims/nonconformities/<int:pk>/close/", views.nonconformity_close, name="nonconformity-close"),
    path(
        "aims/management-reviews/<int:pk>/request-closure/",
        views.review_request_closure,
        name="review-request-closure",
    ),
    path("aims/concerns/", views.concern_list, name="concern-list"),
    path("aims/concerns/new/", views.concern_raise, name="concern-raise"),
    path("aims/concerns/channel/", views.concern_channel, name="concern-channel"),
    path("aims/concerns/<int:pk>/", views.concern_detail, name="concern-detail"),
    path("aims/concerns/<int:pk>/triage/", views.concern_triage, name="concern-triage"),
    path("report-concern/", views.concern_public, name="concern-public"),
    path("my-work/", views.my_work, name="my-work"),
]

for resource in TOP_LEVEL:
    urlpatterns += [
        path(f"aims/{resource.path}/", views.make_list(resource), name=f"{resource.slug}-list"),
        path(f"aims/{resource.path}/new/", views.make_create(resource), name=f"{resource.slug}-create"),
    ]
for resource in CHILDREN:
    parent = next(r for r in RESOURCES if r.model is resource.model._meta.get_field(resource.parent).related_model)
    urlpatterns.append(
        path(
            f"aims/{parent.path}/<int:pk>/{resource.path}/new/",
            views.make_child_create(resource),
            name=f"{resource.slug}-create",
        )
    )
for resource in RESOURCES:
    urlpatterns += [
        path(f"aims/{resource.path}/<int:pk>/", views.make_detail(resource), name=f"{resource.slug}-detail"),
        path(f"aims/{resource.path}/<int:pk>/history/", views.make_history(resource), name=f"{resource.slug}-history"),
    ]
    if resource.editable:
        urlpatterns.append(
            path(f"aims/{resource.path}/<int:pk>/edit/", views.make_edit(resource), name=f"{resource.slug}-edit")
        )
