from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jobcenter.admin import AdministrationAdmin
from jobcenter.services import audit_record

from .models import Concern, ConcernClass, Desk, Display, SiteSettings, new_display_token


class CatalogueAdmin(AdministrationAdmin):
    """The concern catalogue is shared data: edited, deactivated, never deleted (customers
    already waiting with a concern keep it)."""

    jobcenter_path = ""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="change" if change else "create",
            target=obj,
            summary=str(obj),
            changes={"fields": list(form.changed_data)},
        )


@admin.register(ConcernClass)
class ConcernClassAdmin(CatalogueAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


@admin.register(Concern)
class ConcernAdmin(CatalogueAdmin):
    list_display = [
        "name",
        "concern_class",
        "handled_by",
        "route",
        "record",
        "inform",
        "target_wait_minutes",
        "active",
    ]
    list_editable = ["target_wait_minutes", "active"]
    list_filter = ["concern_class", "handled_by", "route", "active"]
    search_fields = ["name", "code", "reference"]
    fieldsets = (
        (None, {"fields": ("name", "code", "concern_class", "position", "active")}),
        (
            _("Wer und wie"),
            {"fields": ("handled_by", "route", "handouts", "target_wait_minutes", "notes")},
        ),
        (_("Back Office"), {"fields": ("record", "inform")}),
        (_("Quelle"), {"fields": ("reference",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The code is a stable key (the check-in against an appointment uses "termin").
        return ["code"] if obj else []


class SiteScopedAdmin(AdministrationAdmin):
    jobcenter_path = "standort__jobcenter"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "standort" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(jobcenter=request.user.jobcenter_id)
        return field


@admin.register(Desk)
class DeskAdmin(SiteScopedAdmin):
    list_display = ["name", "standort", "position", "active", "occupied_by"]
    list_filter = ["standort", "active"]
    filter_horizontal = ["teams"]
    fields = ["standort", "name", "teams", "position", "active"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "teams" and not request.user.is_superuser:
            field.queryset = field.queryset.filter(jobcenter=request.user.jobcenter_id)
        return field


@admin.register(Display)
class DisplayAdmin(SiteScopedAdmin):
    list_display = ["name", "standort", "active", "last_seen_at", "link"]
    list_filter = ["standort", "active"]
    fields = ["standort", "name", "active", "link", "last_seen_at"]
    readonly_fields = ["link", "last_seen_at"]
    actions = ["new_token"]

    @admin.display(description=_("Adresse der Anzeige"))
    def link(self, obj):
        if not obj.pk:
            return _("erscheint nach dem Speichern")
        url = reverse("frontdesk:display", args=[obj.token])
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description=_("Neuen Zugangsschlüssel erzeugen (alter Link wird ungültig)"))
    def new_token(self, request, queryset):
        for display in queryset:
            display.token = new_display_token()
            display.save(update_fields=["token"])
            audit_record(
                actor=request.user,
                action="change",
                target=display,
                summary=f"{display.name}: neuer Zugangsschlüssel",
            )
        self.message_user(request, _("Neue Links erzeugt."), messages.SUCCESS)


@admin.register(SiteSettings)
class SiteSettingsAdmin(SiteScopedAdmin):
    list_display = ["standort", "number_prefix", "no_show_after_calls"]
