"""The administration (/verwaltung/): each Jobcenter's Administration role edits its own data.

Scoping is done once, here, in the base classes every app's admin derives from, so that a new
admin cannot forget it: for anyone but a superuser

- every list and object is limited to the admin's Jobcenter (`jobcenter_path`, else the path
  `jobcenter_path_of` finds);
- every foreign-key and many-to-many choice (inlines included) offers only rows of that
  Jobcenter, found by following the related model's own path to Jobcenter (users by
  `user.jobcenter`, teams by `team.jobcenter`, mailboxes through their team, …);
- the `jobcenter` field is neither shown nor accepted: it is set to the admin's Jobcenter.
"""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import cache

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm as SetPasswordAdminForm
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEvent,
    Deputy,
    DirectoryGroupMapping,
    Jobcenter,
    OpeningHours,
    PhoneHours,
    Postfach,
    Standort,
    Team,
    User,
)
from .roles import Role
from .seeding import seed_new_jobcenter
from .services import audit_record

admin.site.site_header = _("Jobcenter Frontoffice – Verwaltung")
admin.site.site_title = _("Verwaltung")
admin.site.index_title = _("Verwaltung des Jobcenters")


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or user.role == Role.ADMINISTRATION)


# Only the Administration role (and superusers) reach the admin at all.
admin.site.has_permission = _is_administrator  # type: ignore[method-assign]


# --- the path from any model to its Jobcenter -----------------------------------------------


@cache
def jobcenter_path_of(model: type[models.Model]) -> str | None:
    """The lookup from `model` to the Jobcenter it belongs to, or None for installation data.

    A direct `jobcenter` foreign key wins; otherwise the shortest chain of forward foreign
    keys (up to three), required ones before optional ones (an unassigned item still
    belongs to its Jobcenter through its mailbox or customer).
    """
    if model is Jobcenter:
        return "pk"
    frontier: list[tuple[str, type[models.Model], bool]] = [("", model, False)]
    for _depth in range(3):
        found: list[tuple[bool, str]] = []
        next_frontier = []
        for prefix, current, optional in frontier:
            for field in current._meta.concrete_fields:
                if not (field.many_to_one or field.one_to_one) or field.related_model is None:
                    continue
                lookup = f"{prefix}{field.name}"
                is_optional = optional or field.null
                if field.related_model is Jobcenter:
                    found.append((is_optional, lookup))
                elif field.related_model is not current:
                    next_frontier.append((f"{lookup}__", field.related_model, is_optional))
        if found:
            return sorted(found, key=lambda f: f[0])[0][1]
        frontier = next_frontier
    return None


def _scoped(queryset: models.QuerySet, request: HttpRequest, path: str | None):
    """`queryset` limited to the request user's Jobcenter (superusers: unchanged)."""
    user = request.user
    if user.is_superuser:
        return queryset
    if queryset.model in (Group, Permission):
        return queryset.none()
    if path is None:
        return queryset
    if user.jobcenter_id is None:
        return queryset.none()
    queryset = queryset.filter(**{path: user.jobcenter_id})
    if queryset.model is User:
        # Superusers are the installation's: no Jobcenter may see, choose or change them.
        queryset = queryset.filter(is_superuser=False)
    return queryset


def _owns_jobcenter_field(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("jobcenter")
    except FieldDoesNotExist:
        return False
    return field.concrete and field.many_to_one and field.related_model is Jobcenter


def _strip(fieldsets, hidden: set[str]):
    result = []
    for name, options in fieldsets:
        fields = []
        for line in options.get("fields", ()):
            if isinstance(line, list | tuple):
                line = tuple(f for f in line if f not in hidden)
                if line:
                    fields.append(line)
            elif line not in hidden:
                fields.append(line)
        if fields:
            result.append((name, {**options, "fields": fields}))
    return result


def _owned_form(form_class, request: HttpRequest):
    """A form whose new instance belongs to the admin's Jobcenter before it is validated."""
    jobcenter_id = request.user.jobcenter_id

    class OwnedForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if getattr(self.instance, "jobcenter_id", None) is None:
                self.instance.jobcenter_id = jobcenter_id

        def _get_validation_exclusions(self):
            # The Jobcenter is set, not entered: unique (jobcenter, name) is checked anyway.
            exclude = super()._get_validation_exclusions()
            exclude.discard("jobcenter")
            return exclude

    OwnedForm.__name__ = form_class.__name__
    return OwnedForm


class AdministrationPermissions:
    """The Administration role edits everything here, not Django's per-model permissions;
    and only its own Jobcenter's rows, in lists and in every choice of every form."""

    # Fields a Jobcenter's administration never sees (besides `jobcenter`).
    hidden_from_jobcenters: tuple[str, ...] = ()

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

    def hidden_fields(self, request: HttpRequest) -> set[str]:
        if request.user.is_superuser:
            return set()
        hidden = set(self.hidden_from_jobcenters)
        if _owns_jobcenter_field(self.model):
            hidden.add("jobcenter")
        return hidden

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        return self._limit_choices(field, db_field, request)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return self._limit_choices(field, db_field, request)

    def _limit_choices(self, field, db_field, request):
        if field is not None and hasattr(field, "queryset"):
            related = db_field.related_model
            field.queryset = _scoped(field.queryset, request, jobcenter_path_of(related))
        return field

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return [*exclude, *(self.hidden_fields(request) - set(exclude))] or None

    def get_fieldsets(self, request, obj=None):
        return _strip(super().get_fieldsets(request, obj), self.hidden_fields(request))

    def get_readonly_fields(self, request, obj=None):
        hidden = self.hidden_fields(request)
        return [f for f in super().get_readonly_fields(request, obj) if f not in hidden]


class AdministrationAdmin(AdministrationPermissions, admin.ModelAdmin):
    """Organisation data is edited by the Administration role of the same Jobcenter.

    Every save is written to the audit trail: who changed what.
    """

    # The lookup from the model to its Jobcenter; None: the path `jobcenter_path_of` finds.
    jobcenter_path: str | None = None

    def get_jobcenter_path(self) -> str | None:
        return self.jobcenter_path or jobcenter_path_of(self.model)

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request, self.get_jobcenter_path())

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.user.is_superuser or not _owns_jobcenter_field(self.model):
            return form
        return _owned_form(form, request)

    def get_list_display(self, request):
        hidden = self.hidden_fields(request)
        return [f for f in super().get_list_display(request) if f not in hidden]

    def get_list_filter(self, request):
        """Filters on a relation list only the related rows of the admin's own rows."""
        filters = list(super().get_list_filter(request))
        if request.user.is_superuser:
            return filters
        hidden = self.hidden_fields(request)
        result = []
        for entry in filters:
            if isinstance(entry, str):
                if entry in hidden:
                    continue
                try:
                    last = get_fields_from_path(self.model, entry)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    last = None
                if last is not None and last.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            result.append(entry)
        return result

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser and _owns_jobcenter_field(type(obj)):
            obj.jobcenter_id = request.user.jobcenter_id
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="change" if change else "create",
            target=obj,
            summary=str(obj),
            changes={"fields": list(form.changed_data)},
        )

    def save_formset(self, request, form, formset, change):
        if not request.user.is_superuser and _owns_jobcenter_field(formset.model):
            for inline_form in formset.forms:
                inline_form.instance.jobcenter_id = request.user.jobcenter_id
        super().save_formset(request, form, formset, change)


class _InlineScoping:
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not request.user.is_superuser and _owns_jobcenter_field(self.model):
            formset.form = _owned_form(formset.form, request)
        return formset


class AdministrationInline(_InlineScoping, AdministrationPermissions, admin.TabularInline):
    pass


class AdministrationStackedInline(_InlineScoping, AdministrationPermissions, admin.StackedInline):
    pass


# --- views other apps add to the administration (jobcenter imports none of them) ------------

_extra_views: list[Callable] = []
_site_get_urls = admin.site.get_urls


def register_admin_view(route: str, view: Callable, name: str) -> None:
    """Add a page under /verwaltung/ behind the administration's login and permission."""
    _extra_views.append(lambda: path(route, admin.site.admin_view(view), name=name))


def _get_urls():
    return [*(make() for make in _extra_views), *_site_get_urls()]


admin.site.get_urls = _get_urls  # type: ignore[method-assign]


def _audited_password_change(request, extra_context=None):
    """The admin's own "change password" page, audited like the one in the product."""
    from .views import PasswordChangeView

    request.current_app = admin.site.name
    return PasswordChangeView.as_view(
        form_class=AdminPasswordChangeForm,
        success_url=reverse("admin:password_change_done", current_app=admin.site.name),
        template_name="registration/password_change_form.html",
        extra_context={**admin.site.each_context(request), **(extra_context or {})},
    )(request)


admin.site.password_change = _audited_password_change  # type: ignore[method-assign]


# --- the organisation -----------------------------------------------------------------------


class OpeningHoursInline(AdministrationInline):
    model = OpeningHours
    extra = 0


class PhoneHoursInline(AdministrationInline):
    model = PhoneHours
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

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


WORKDAYS = [
    OpeningHours.Weekday.MONDAY,
    OpeningHours.Weekday.TUESDAY,
    OpeningHours.Weekday.WEDNESDAY,
    OpeningHours.Weekday.THURSDAY,
    OpeningHours.Weekday.FRIDAY,
]


class StandortForm(forms.ModelForm):
    copy_weekday = forms.TypedChoiceField(
        label=_("Zeiten eines Wochentags auf Mo–Fr übernehmen"),
        choices=[("", _("– nicht übernehmen –"))]
        + [(int(d), OpeningHours.Weekday(d).label) for d in WORKDAYS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_(
            "Die Öffnungs- und Telefonzeiten dieses Tages ersetzen nach dem Speichern die "
            "der übrigen Tage von Montag bis Freitag."
        ),
    )

    class Meta:
        model = Standort
        fields = ["jobcenter", "name", "address", "alarm_email", "alarm_phone"]


def hours_copy_to_workdays(*, standort: Standort, weekday: int, actor: User) -> None:
    """Make Monday to Friday keep the opening and phone hours of `weekday`."""
    with transaction.atomic():
        for model in (OpeningHours, PhoneHours):
            source = list(model.objects.filter(standort=standort, weekday=weekday))
            others = [d for d in WORKDAYS if d != weekday]
            model.objects.filter(standort=standort, weekday__in=others).delete()
            model.objects.bulk_create(
                model(standort=standort, weekday=day, opens=row.opens, closes=row.closes)
                for day in others
                for row in source
            )
        audit_record(
            actor=actor,
            action="change",
            target=standort,
            summary=f"Zeiten von {OpeningHours.Weekday(weekday).label} auf Mo–Fr übernommen",
        )


@admin.register(Standort)
class StandortAdmin(AdministrationAdmin):
    form = StandortForm
    list_display = ["name", "jobcenter"]
    inlines = [OpeningHoursInline, PhoneHoursInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        weekday = form.cleaned_data.get("copy_weekday")
        if weekday is not None:
            hours_copy_to_workdays(standort=form.instance, weekday=weekday, actor=request.user)
            self.message_user(
                request,
                _("Die Zeiten von %(day)s gelten jetzt von Montag bis Freitag.")
                % {"day": OpeningHours.Weekday(weekday).label},
                messages.SUCCESS,
            )


class PostfachInline(AdministrationStackedInline):
    model = Postfach
    extra = 1
    max_num = 1
    can_delete = False


@admin.register(Team)
class TeamAdmin(AdministrationAdmin):
    list_display = ["name", "kind", "standort", "lead"]
    list_filter = ["kind"]
    inlines = [PostfachInline]


class DeputyInline(AdministrationInline):
    model = Deputy
    fk_name = "ifk"
    extra = 1
    # A plain list of the own Jobcenter's staff (scoped by the base class): keyboard- and
    # screen-reader-friendly, unlike the autocomplete widget.


class StaffCreationForm(UserCreationForm):
    """Everything a new staff member needs, on one page; the Jobcenter is the admin's."""

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "jobcenter",
            "role",
            "standort",
            "teams",
            "contact_concept",
            "weekly_hours",
        ]
        field_classes = UserCreationForm.Meta.field_classes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].required = True


STAFF_FIELDS = {
    "person": ("username", "first_name", "last_name", "email"),
    "work": ("role", "standort", "room", "teams", "contact_concept", "weekly_hours"),
}
# Whether the directory or the local password signs the person in (jobcenter.sso).
SIGN_IN_FIELDS = ("directory_source", "break_glass")
INSTALLATION_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class StaffPasswordForm(SetPasswordAdminForm):
    """Setting a new password, without Django's (English) switch to disable passwords:
    staff of a Jobcenter always log in with one."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields.pop("usable_password", None)
        self.fields["password1"].required = True
        self.fields["password2"].required = True


@admin.register(User)
class UserAdmin(AdministrationAdmin, BaseUserAdmin):
    add_form = StaffCreationForm
    change_password_form = StaffPasswordForm
    list_display = ["username", "first_name", "last_name", "role", "standort", "is_active"]
    list_filter = ["role", "is_active", "teams", "standort", "directory_source", "break_glass"]
    list_select_related = ["standort"]
    filter_horizontal = ["groups", "user_permissions"]
    inlines = [DeputyInline]
    search_fields = ["username", "first_name", "last_name", "email"]
    hidden_from_jobcenters = (*INSTALLATION_FIELDS, "last_login", "date_joined")
    add_fieldsets = (
        (_("Person"), {"fields": (*STAFF_FIELDS["person"], "password1", "password2")}),
        (_("Aufgabe"), {"fields": STAFF_FIELDS["work"]}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            fieldsets = super().get_fieldsets(request, obj)
            if request.user.is_superuser:
                fieldsets = (*fieldsets, (_("Jobcenter"), {"fields": ("jobcenter",)}))
            return fieldsets
        if request.user.is_superuser:
            return (
                *BaseUserAdmin.fieldsets,
                (_("Jobcenter"), {"fields": ("jobcenter", *STAFF_FIELDS["work"])}),
                (_("Anmeldung"), {"fields": SIGN_IN_FIELDS}),
            )
        return (
            (_("Person"), {"fields": ("username", "first_name", "last_name", "email")}),
            (_("Aufgabe"), {"fields": ("is_active", *STAFF_FIELDS["work"])}),
            (_("Passwort"), {"fields": ("password_reset",)}),
            (_("Anmeldung"), {"fields": SIGN_IN_FIELDS}),
        )

    @admin.display(description=_("Passwort"))
    def password_reset(self, obj) -> str:
        # Instead of Django's hash summary (algorithm, salt) with its English button and help.
        return format_html(
            '<a class="button" href="{}">{}</a><div class="help">{}</div>',
            "../password/",  # relative to the change page, as in Django's own widget
            _("Passwort zurücksetzen"),
            _(
                "Passwörter werden nicht im Klartext gespeichert und sind nicht einsehbar. "
                "Ein neues Passwort ändert die Person nach dem Anmelden selbst."
            ),
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "teams":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), "directory_source"]
        if obj is not None and not request.user.is_superuser:
            # A break-glass account bypasses the directory: the installation's operator
            # grants it, not a Jobcenter's administration (which can reset passwords).
            readonly += ["username", "password_reset", "break_glass"]
        return readonly

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        # Land on the new person's page (deputies, password), saying what happened.
        self.message_user(
            request,
            _(
                "„%(name)s“ ist angelegt und kann sich mit dem Benutzernamen „%(username)s“ "
                "anmelden."
            )
            % {"name": obj, "username": obj.username},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:jobcenter_user_change", args=[obj.pk]))

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            audit_record(
                actor=request.user,
                action="change",
                target=user,
                summary="Passwort zurückgesetzt",
            )
        return response


class DirectoryGroupMappingForm(forms.ModelForm):
    class Meta:
        model = DirectoryGroupMapping
        fields = ["jobcenter", "group", "role", "teams", "position"]

    def clean(self):
        cleaned = super().clean()
        jobcenter = cleaned.get("jobcenter") or getattr(self.instance, "jobcenter", None)
        teams = cleaned.get("teams")
        if jobcenter is not None and teams is not None:
            foreign = [t for t in teams if t.jobcenter_id != jobcenter.pk]
            if foreign:
                self.add_error("teams", _("Nur Teams dieses Jobcenters."))
        return cleaned


@admin.register(DirectoryGroupMapping)
class DirectoryGroupMappingAdmin(AdministrationAdmin):
    """Which directory group gives which role and teams (applied at every login)."""

    form = DirectoryGroupMappingForm
    list_display = ["group", "role", "team_names", "position", "jobcenter"]
    list_filter = ["role"]
    search_fields = ["group"]
    ordering = ["position", "group"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("teams")

    @admin.display(description=_("Teams"))
    def team_names(self, obj) -> str:
        return ", ".join(t.name for t in obj.teams.all()) or "–"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "teams":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class GroupAdmin(BaseGroupAdmin):
    """Django's groups and permissions are the installation's, not a Jobcenter's."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


# --- the audit trail ------------------------------------------------------------------------


class TargetTypeFilter(admin.SimpleListFilter):
    title = _("Art des Datensatzes")
    parameter_name = "art"

    def lookups(self, request, model_admin):
        types = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list("target_type", flat=True)
            .distinct()
        )
        from django.contrib.contenttypes.models import ContentType

        found = []
        for ct in ContentType.objects.filter(pk__in=list(types)):
            model = ct.model_class()
            found.append((str(ct.pk), model._meta.verbose_name if model else ct.model))
        return sorted(found, key=lambda item: str(item[1]))

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(target_type_id=int(value))
        return queryset


class PeriodFilter(admin.SimpleListFilter):
    title = _("Zeitraum")
    parameter_name = "zeitraum"

    def lookups(self, request, model_admin):
        return [
            ("1", _("heute")),
            ("7", _("letzte 7 Tage")),
            ("30", _("letzte 30 Tage")),
            ("365", _("letztes Jahr")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in {"1", "7", "30", "365"}:
            today = timezone.localdate()
            start = today - timedelta(days=int(value) - 1)
            since = timezone.make_aware(datetime.combine(start, time.min))
            return queryset.filter(at__gte=since)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(AdministrationAdmin):
    """Every change to the Jobcenter's data and every read of it, whoever made it."""

    jobcenter_path = "jobcenter"
    list_display = ["at", "actor", "action", "target_kind", "record", "summary"]
    list_filter = [PeriodFilter, "action", TargetTypeFilter, "actor"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "at"
    search_fields = ["=target_id", "=subject_id", "summary"]
    search_help_text = _("Datensatz-Nr., Kunden-Id oder Text der Beschreibung")
    fields = [
        "at",
        "actor",
        "action",
        "target_kind",
        "target_id",
        "subject_id",
        "summary",
        "changed_fields",
    ]
    readonly_fields = fields
    list_per_page = 50

    def lookup_allowed(self, lookup, value, request=None):
        # "All events of this record": the link in each row filters by type and number.
        if lookup in ("target_type__id__exact", "target_id", "subject_id"):
            return True
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("Art des Datensatzes"), ordering="target_type")
    def target_kind(self, obj) -> str:
        return obj.target_kind

    @admin.display(description=_("Datensatz-Nr."), ordering="target_id")
    def record(self, obj):
        url = reverse("admin:jobcenter_auditevent_changelist")
        return format_html(
            '<a href="{}?target_type__id__exact={}&amp;target_id={}" title="{}">{}</a>',
            url,
            obj.target_type_id,
            obj.target_id,
            _("alle Einträge zu diesem Datensatz"),
            obj.target_id,
        )

    @admin.display(description=_("Geänderte Felder"))
    def changed_fields(self, obj) -> str:
        # The field names of the record's model, in German, instead of the stored JSON.
        names = (obj.changes or {}).get("fields") if isinstance(obj.changes, dict) else None
        if not names:
            return "–"
        model = obj.target_type.model_class() if obj.target_type_id else None
        labels = []
        for name in names:
            try:
                labels.append(str(model._meta.get_field(name).verbose_name) if model else name)
            except FieldDoesNotExist:
                labels.append(name)
        return ", ".join(labels)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
