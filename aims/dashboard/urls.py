from django.urls import path  # noqa: F401  the dashboard pages are added here

app_name = "dashboard"

urlpatterns: list = []
