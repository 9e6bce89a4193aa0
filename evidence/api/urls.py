"""The evidence explorer's API, under /api/v1/evidence/."""

urlpatterns: list = []
