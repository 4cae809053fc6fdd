"""Admin: the ledger is read-only and scoped (it changes only through the services, which
keep it append-only); working-day overrides are kept by system administrators."""

from django.contrib import admin

from leifeng.core.admin import ScopedReadOnlyAdmin, SystemListAdmin
from leifeng.hours.models import HoursEntry, WorkdayOverride


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(SystemListAdmin):
    list_display = ["day", "is_workday", "note"]
    date_hierarchy = "day"


@admin.register(HoursEntry)
class HoursEntryAdmin(ScopedReadOnlyAdmin):
    list_display = ["volunteer", "content", "started_at", "hours", "kind", "organisation"]
    list_filter = ["kind", "source"]
    list_select_related = ["volunteer", "organisation"]
