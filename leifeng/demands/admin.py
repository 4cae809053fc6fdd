"""Admin: orders and their history read-only and scoped (they change only through the
services, which keep the state machine's rules and record every move)."""

from django.contrib import admin

from leifeng.core.admin import ScopedReadOnlyAdmin
from leifeng.demands.models import MenuItem, Order


@admin.register(Order)
class OrderAdmin(ScopedReadOnlyAdmin):
    list_display = ["number", "category", "status", "organisation", "receiver", "created_at"]
    list_filter = ["status", "category", "channel"]
    list_select_related = ["organisation", "receiver"]
    exclude = ["contact_sealed", "contact_hash", "rating_token"]


@admin.register(MenuItem)
class MenuItemAdmin(ScopedReadOnlyAdmin):
    list_display = ["title", "category", "organisation", "is_active"]
    list_filter = ["category", "is_active"]
    list_select_related = ["organisation"]
