from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from leifeng.accounts.models import User
from leifeng.core.errors import DomainError
from leifeng.orgs import access, services
from leifeng.orgs.models import Membership, Organisation


class ScopedAdmin(admin.ModelAdmin):
    """Admin pages that show and change only what access.py lets the user see and change."""

    view_action = access.VIEW
    change_action = access.MANAGE

    def get_queryset(self, request: HttpRequest):
        return access.scoped(super().get_queryset(request), request.user, self.view_action)

    def _allowed(self, request: HttpRequest, action: str, obj) -> bool:
        if obj is None:
            return request.user.is_superuser or bool(access.paths_for(request.user, action))
        return access.can(request.user, action, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.view_action, None)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request, self.view_action, obj)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._allowed(request, self.change_action, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, self.change_action, None)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "credit_code"]
    fields = [
        "parent",
        "name",
        "kind",
        "region",
        "credit_code",
        "contact_name",
        "contact_phone",
        "address",
        "is_active",
    ]
    list_select_related = ["region", "parent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = access.scoped(
                Organisation.objects.all(), request.user, access.MANAGE
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # An organisation moves on the site's Move page, which offers only valid places.
        return ["parent"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # Writes go through the services so that paths stay right and every change is audited.
        data = {field: form.cleaned_data[field] for field in services.EDITABLE_FIELDS}
        try:
            if not change:
                created = services.org_create(
                    actor=request.user, parent=form.cleaned_data["parent"], **data
                )
                obj.pk = created.pk
                return
            services.org_update(
                actor=request.user, org=obj, is_active=form.cleaned_data["is_active"], **data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            raise PermissionDenied(exc.message) from exc


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    change_action = access.ADMIN
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__name", "organisation__name"]
    autocomplete_fields = ["user"]  # searches only the admin's own people (UserAdmin is scoped)
    fields = ["user", "organisation", "role"]
    list_select_related = ["user", "organisation"]

    def has_change_permission(self, request, obj=None):
        # A role is granted or taken away, never edited in place.
        return obj is None and self._allowed(request, access.ADMIN, None)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, access.ADMIN, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = access.scoped(
                Organisation.objects.all(), request.user, access.ADMIN
            )
        if db_field.name == "user":  # people already in the admin's subtree (see services)
            kwargs["queryset"] = access.scoped(User.objects.all(), request.user, access.ADMIN)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            created = services.membership_grant(
                actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role
            )
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc
        obj.pk = created.pk

    def delete_model(self, request, obj):
        try:
            services.membership_revoke(actor=request.user, membership=obj)
        except DomainError as exc:
            raise PermissionDenied(exc.message) from exc

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for membership in queryset:
            self.delete_model(request, membership)
