from django.contrib import admin

from leifeng.jobs.models import Job, PeriodicRun


class SystemOnlyAdmin(admin.ModelAdmin):
    """Background machinery: system administrators read it here; people use the job pages."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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
