from django.urls import path

from aims.governance import views

app_name = "governance"

urlpatterns = [
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisation/history/", views.organisation_history, name="organisation-history"),
    path("organisation/request-approval/", views.organisation_request_approval, name="organisation-request-approval"),
]
