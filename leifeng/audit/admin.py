from django.contrib import admin

from leifeng.audit.models import AuditEntry
from leifeng.orgs import access
from leifeng.orgs.admin import ScopedAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    view_action = access.ADMIN
    list_display = ["at", "actor_name", "action", "object_repr", "organisation"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_name"]
    list_select_related = ["organisation"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
