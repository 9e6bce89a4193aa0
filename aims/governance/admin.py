from django.contrib import admin

from aims.core.admin import GovernedAdmin
from aims.governance.models import OrganisationProfile


@admin.register(OrganisationProfile)
class OrganisationProfileAdmin(GovernedAdmin):
    list_display = ["name", "sector", "country", "updated_at"]
