from django.urls import path

from evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.source_list, name="index"),
    path("sources/new/", views.source_create, name="source-create"),
    path("sources/<slug:name>/", views.source_detail, name="source-detail"),
    path("sources/<slug:name>/tokens/", views.token_issue, name="token-issue"),
    path("sources/<slug:name>/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("events/", views.event_list, name="event-list"),
    path("events/export.csv", views.event_export, name="event-export"),
    path("events/<slug:name>/<int:index>/", views.event_detail, name="event-detail"),
]
