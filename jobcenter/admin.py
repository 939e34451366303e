from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Deputy, Jobcenter, OpeningHours, Postfach, Standort, Team, User
from .roles import Role
from .seeding import seed_new_jobcenter
from .services import audit_record

admin.site.site_header = _("Jobcenter Frontoffice – Verwaltung")
admin.site.site_title = _("Verwaltung")


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or user.role == Role.ADMINISTRATION)


# Only the Administration role (and superusers) reach the admin at all.
admin.site.has_permission = _is_administrator  # type: ignore[method-assign]


class AdministrationPermissions:
    """The Administration role edits everything here, not Django's per-model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _is_administrator(request)


class AdministrationAdmin(AdministrationPermissions, admin.ModelAdmin):
    """Organisation data is edited by the Administration role of the same Jobcenter.

    Every save is written to the audit trail: who changed what.
    """

    jobcenter_path = "jobcenter"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or not self.jobcenter_path:
            return qs
        return qs.filter(**{self.jobcenter_path: request.user.jobcenter_id})

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="change" if change else "create",
            target=obj,
            summary=str(obj),
            changes={"fields": list(form.changed_data)},
        )


class AdministrationInline(AdministrationPermissions, admin.TabularInline):
    pass


class AdministrationStackedInline(AdministrationPermissions, admin.StackedInline):
    pass


class OpeningHoursInline(AdministrationInline):
    model = OpeningHours
    extra = 0


@admin.register(Jobcenter)
class JobcenterAdmin(AdministrationAdmin):
    jobcenter_path = "pk"
    list_display = ["name", "bundesland", "first_consultation_start"]

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # A new Jobcenter starts with its own copy of every default catalogue.
            seed_new_jobcenter(obj)


@admin.register(Standort)
class StandortAdmin(AdministrationAdmin):
    list_display = ["name", "jobcenter"]
    inlines = [OpeningHoursInline]


class PostfachInline(AdministrationStackedInline):
    model = Postfach
    extra = 0


@admin.register(Team)
class TeamAdmin(AdministrationAdmin):
    list_display = ["name", "kind", "standort", "lead"]
    list_filter = ["kind"]
    inlines = [PostfachInline]


class DeputyInline(AdministrationInline):
    model = Deputy
    fk_name = "ifk"
    extra = 0
    autocomplete_fields = ["deputy"]


@admin.register(User)
class UserAdmin(AdministrationAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "teams"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Jobcenter"), {"fields": ("jobcenter", "role", "teams")}),
    )
    filter_horizontal = ["teams", "groups", "user_permissions"]
    inlines = [DeputyInline]
    search_fields = ["username", "first_name", "last_name"]


@admin.register(AuditEvent)
class AuditEventAdmin(AdministrationAdmin):
    jobcenter_path = "actor__jobcenter"
    list_display = ["at", "actor", "action", "target_type", "target_id", "summary"]
    list_filter = ["action", "target_type"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
