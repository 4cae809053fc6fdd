from django.contrib import admin

from leifeng.core.admin import SystemOnlyAdmin
from leifeng.jobs.models import Job, PeriodicRun


@admin.register(Job)
class JobAdmin(SystemOnlyAdmin):
    list_display = [
        "pk",
        "name",
        "owner",
        "status",
        "progress_done",
        "progress_total",
        "created_at",
    ]
    list_filter = ["status", "name"]


@admin.register(PeriodicRun)
class PeriodicRunAdmin(SystemOnlyAdmin):
    list_display = ["name", "slot", "status", "result", "finished_at"]
    list_filter = ["status", "name"]
