from django.urls import path

from aims.governance.api import views

urlpatterns = [
    path("organisation/", views.OrganisationProfileView.as_view(), name="organisation"),
    path(
        "organisation/request-approval/",
        views.OrganisationRequestApprovalView.as_view(),
        name="organisation-request-approval",
    ),
]
