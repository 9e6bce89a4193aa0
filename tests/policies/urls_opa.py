"""Test-only URLconf: the project's routes plus OPA's decision-log intake at its intended path, until the
platform adds it to aims/api_urls.py."""

from django.urls import path

from aims.urls import urlpatterns as project_urlpatterns
from policies.api import opa

urlpatterns = [path("api/evidence/v1/opa/logs", opa.logs, name="test-opa-logs"), *project_urlpatterns]
