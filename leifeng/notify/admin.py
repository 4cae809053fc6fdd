from django.contrib import admin

from leifeng.core.admin import SystemOnlyAdmin
from leifeng.notify.models import Delivery, Notification


@admin.register(Delivery)
class DeliveryAdmin(SystemOnlyAdmin):
    list_display = ["created_at", "kind", "channel", "address", "status", "attempts", "last_error"]
    list_filter = ["status", "channel", "kind"]
    search_fields = ["address", "event_key"]


@admin.register(Notification)
class NotificationAdmin(SystemOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_filter = ["kind"]
