from django.contrib import admin

from leifeng.core.admin import ReadOnlyAdmin
from leifeng.regions.models import Region


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    """Regions are shared reference data: staff read them here; villages are added on the site."""

    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff
