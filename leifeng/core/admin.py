from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Admin pages to read records that change only through the site's own services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedReadOnlyAdmin(ReadOnlyAdmin):
    """Records of organisations, read-only, only those in the user's scope (access.py)."""

    def get_queryset(self, request):
        from leifeng.orgs import access

        return access.scoped(super().get_queryset(request), request.user)


class SystemOnlyAdmin(ReadOnlyAdmin):
    """Platform machinery (jobs, deliveries, tokens): system administrators read it here."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class SystemListAdmin(admin.ModelAdmin):
    """A shared code list for the whole platform (skills, service items): system
    administrators keep it."""

    def _system(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._system(request)

    def has_view_permission(self, request, obj=None):
        return self._system(request)

    def has_change_permission(self, request, obj=None):
        return self._system(request)

    def has_add_permission(self, request):
        return self._system(request)

    def has_delete_permission(self, request, obj=None):
        return self._system(request)
