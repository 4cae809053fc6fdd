from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from leifeng.accounts.models import AccessToken, User
from leifeng.core.admin import SystemOnlyAdmin
from leifeng.orgs.admin import ScopedAdmin


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    """Organisation admins see the people who hold roles in their subtree; only system
    administrators edit accounts here (roles are managed on the organisation pages)."""

    list_display = ["username", "name", "mobile", "is_active", "last_login"]
    search_fields = ["username", "name", "mobile"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["name", "mobile", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "name", "mobile", "password1", "password2"],
            },
        )
    ]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(AccessToken)
class AccessTokenAdmin(SystemOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    fields = readonly_fields
