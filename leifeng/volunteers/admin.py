"""Admin: the skills list is edited here; volunteer records are read-only (masked), because
every change goes through the services, which check identities and keep the audit log."""

from django.contrib import admin
from django.http import HttpRequest

from leifeng.core.admin import ReadOnlyAdmin, SystemListAdmin
from leifeng.orgs import access
from leifeng.volunteers.models import Skill, Volunteer


@admin.register(Skill)
class SkillAdmin(SystemListAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Volunteer)
class VolunteerAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "document_masked", "mobile_masked", "organisation", "status"]
    list_filter = ["status", "document_type"]
    search_fields = ["number", "name"]
    fields = [
        "number",
        "national_number",
        "name",
        "document_type",
        "document_masked",
        "mobile_masked",
        "sex",
        "birth_date",
        "residence",
        "organisation",
        "status",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return access.scoped(super().get_queryset(request), request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return access.can(request.user, access.VIEW, obj)
