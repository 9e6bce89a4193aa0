"""Gateway routes under /api/enforcement/v1/ (route names "api:enforcement-..."), source-token authenticated."""

from django.urls import path

from policies.api import enforcement

urlpatterns = [
    path("bundle", enforcement.bundle, name="enforcement-bundle"),
    path("decide", enforcement.decide, name="enforcement-decide"),
]
