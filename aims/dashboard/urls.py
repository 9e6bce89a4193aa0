from django.urls import path

from aims.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.index, name="index"),
    path("systems/<int:pk>/", views.system, name="system"),
]
