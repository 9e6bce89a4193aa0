from django.urls import path

from aims.core import views

app_name = "core"

urlpatterns = [
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/export.csv", views.decision_export, name="decision-export"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("decisions/<int:pk>/decide/", views.decision_decide, name="decision-decide"),
]
