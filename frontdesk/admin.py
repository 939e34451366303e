from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jobcenter.admin import AdministrationAdmin, AdministrationInline

from .models import (
    Concern,
    ConcernClass,
    ConcernTypeChoice,
    Desk,
    Display,
    Kiosk,
    SiteSettings,
    StaffAlarm,
)
from .services.displays import display_new_key, display_path
from .services.kiosk import kiosk_account_for, kiosk_new_key, kiosk_path


class CatalogueAdmin(AdministrationAdmin):
    """Each Jobcenter's own concern catalogue: edited, deactivated, never deleted (customers
    already waiting with a concern keep it)."""

    jobcenter_path = "jobcenter"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConcernClass)
class ConcernClassAdmin(CatalogueAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]


class ConcernTypeChoiceInline(AdministrationInline):
    """Rule R-IA-03: what the desk may pick for this concern, most frequent first."""

    model = ConcernTypeChoice
    extra = 0
    fields = ["position", "label", "information_type"]


@admin.register(Concern)
class ConcernAdmin(CatalogueAdmin):
    inlines = [ConcernTypeChoiceInline]
    list_display = [
        "name",
        "concern_class",
        "handled_by",
        "route",
        "information_type",
        "record",
        "target_wait_minutes",
        "active",
    ]
    list_editable = ["target_wait_minutes", "active"]
    # Only the classes of the rows shown (the own Jobcenter's), not every Jobcenter's.
    list_filter = [
        ("concern_class", admin.RelatedOnlyFieldListFilter),
        "handled_by",
        "route",
        ("information_type", admin.RelatedOnlyFieldListFilter),
        "active",
    ]
    search_fields = ["name", "code", "reference"]
    fieldsets = (
        (None, {"fields": ("name", "code", "concern_class", "position", "active")}),
        (
            _("Wer und wie"),
            {"fields": ("handled_by", "route", "handouts", "target_wait_minutes", "notes")},
        ),
        # The information type's routing rules alone say which mailboxes get the note.
        (_("Back Office"), {"fields": ("information_type", "record")}),
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
    """The address holds the display's key, which is stored only as a hash: it is shown once,
    when the display is created or gets a new key (the action below)."""

    list_display = ["name", "standort", "active", "last_seen_at", "key_state"]
    list_filter = ["standort", "active"]
    fields = ["standort", "name", "active", "key_state", "last_seen_at"]
    readonly_fields = ["key_state", "last_seen_at"]
    actions = ["new_token"]

    @admin.display(description=_("Adresse der Anzeige"))
    def key_state(self, obj):
        if not obj.pk:
            return _("wird nach dem Speichern einmal angezeigt")
        if not obj.has_key:
            return _("noch kein Schlüssel: Aktion „Neuen Zugangsschlüssel erzeugen“")
        return format_html(
            "{} <code>{}…</code>. {}",
            _("Schlüssel vorhanden, beginnt mit"),
            obj.token_prefix,
            _(
                "Die Adresse wird nur beim Anlegen angezeigt; eine neue erzeugt die Aktion "
                "„Neuen Zugangsschlüssel erzeugen“ (die alte wird ungültig)."
            ),
        )

    def _show_address(self, request, display, token):
        url = request.build_absolute_uri(display_path(token))
        self.message_user(
            request,
            format_html(
                '{} „{}“ ({}): <a href="{}">{}</a>',
                _("Adresse der Anzeige"),
                display.name,
                _("wird nur jetzt angezeigt, bitte notieren"),
                url,
                url,
            ),
            messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self._show_address(request, obj, display_new_key(display=obj, actor=request.user))

    @admin.action(description=_("Neuen Zugangsschlüssel erzeugen (alter Link wird ungültig)"))
    def new_token(self, request, queryset):
        for display in queryset:
            self._show_address(
                request, display, display_new_key(display=display, actor=request.user)
            )


@admin.register(Kiosk)
class KioskAdmin(SiteScopedAdmin):
    """A self check-in kiosk: keyed like a display (the address is shown once, at creation
    or with a new key); what it checks in is recorded under its own technical account."""

    list_display = ["name", "standort", "active", "last_seen_at", "key_state"]
    list_filter = ["standort", "active"]
    fields = ["standort", "name", "active", "key_state", "last_seen_at"]
    readonly_fields = ["key_state", "last_seen_at"]
    actions = ["new_token"]

    @admin.display(description=_("Adresse des Kiosks"))
    def key_state(self, obj):
        if not obj.pk:
            return _("wird nach dem Speichern einmal angezeigt")
        return format_html(
            "{} <code>{}…</code>. {}",
            _("Schlüssel vorhanden, beginnt mit"),
            obj.token_prefix,
            _("Eine neue Adresse erzeugt die Aktion „Neuen Zugangsschlüssel erzeugen“."),
        )

    def _show_address(self, request, kiosk, token):
        url = request.build_absolute_uri(kiosk_path(token))
        self.message_user(
            request,
            format_html(
                '{} „{}“ ({}): <a href="{}">{}</a>',
                _("Adresse des Kiosks"),
                kiosk.name,
                _("wird nur jetzt angezeigt, bitte notieren"),
                url,
                url,
            ),
            messages.WARNING,
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.account = kiosk_account_for(obj.standort, obj.name)
        super().save_model(request, obj, form, change)
        if not change:
            self._show_address(request, obj, kiosk_new_key(kiosk=obj, actor=request.user))

    @admin.action(description=_("Neuen Zugangsschlüssel erzeugen (alter Link wird ungültig)"))
    def new_token(self, request, queryset):
        for kiosk in queryset:
            self._show_address(request, kiosk, kiosk_new_key(kiosk=kiosk, actor=request.user))


@admin.register(SiteSettings)
class SiteSettingsAdmin(SiteScopedAdmin):
    list_display = [
        "standort",
        "number_prefix",
        "no_show_after_calls",
        "default_service_minutes",
    ]


@admin.register(StaffAlarm)
class StaffAlarmAdmin(SiteScopedAdmin):
    """The record of the site's alarms (Notrufe): read only, nothing to edit after the fact."""

    list_display = ["raised_at", "standort", "place", "acknowledged_at", "ended_at"]
    list_filter = ["standort"]
    date_hierarchy = "raised_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
