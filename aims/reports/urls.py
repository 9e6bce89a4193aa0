from django.urls import path  # noqa: F401  the report pages are added here

app_name = "reports"

urlpatterns: list = []
