"""Admin: service items are a shared list kept here; activities and stations are read-only
and scoped, because every change goes through the services (rules, audit, notifications)."""

from django.contrib import admin

from leifeng.activities.models import Activity, ServiceItem, Station
from leifeng.core.admin import ScopedReadOnlyAdmin, SystemListAdmin


@admin.register(ServiceItem)
class ServiceItemAdmin(SystemListAdmin):
    list_display = ["name", "campaign_line", "position"]
    list_filter = ["campaign_line"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Activity)
class ActivityAdmin(ScopedReadOnlyAdmin):
    list_display = ["title", "organisation", "campaign_line", "status", "starts_at"]
    list_filter = ["status", "campaign_line", "risky"]
    search_fields = ["title"]
    list_select_related = ["organisation"]


@admin.register(Station)
class StationAdmin(ScopedReadOnlyAdmin):
    list_display = ["name", "organisation", "place_kind", "address", "is_active"]
    list_filter = ["place_kind", "is_active"]
    search_fields = ["name", "address"]
    list_select_related = ["organisation"]
