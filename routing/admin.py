from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from jobcenter.admin import AdministrationAdmin, AdministrationInline
from jobcenter.services import audit_record

from .models import ApiClient, Aufgabe, AufgabeEvent, InformationType, RoutingRule
from .services import api_client_create, api_client_rotate, rules_check


class RoutingRuleFormSet(BaseInlineFormSet):
    """A rule table that routes an active type nowhere is refused when saving."""

    def clean(self):
        super().clean()
        rules, seen = [], set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key = (data.get("target"), data.get("team_kind") or "")
            if key in seen:
                raise ValidationError(_("Dieselbe Regel ist doppelt eingetragen."))
            seen.add(key)
            rules.append(
                RoutingRule(
                    target=data.get("target"),
                    team_kind=data.get("team_kind") or "",
                    active=data.get("active", False),
                )
            )
        problem = rules_check(self.instance, rules)
        if problem:
            raise ValidationError(problem)


class RoutingRuleInline(AdministrationInline):
    model = RoutingRule
    formset = RoutingRuleFormSet
    extra = 0
    fields = ["target", "team_kind", "only_when_late", "active", "fired", "rerouted"]
    readonly_fields = ["fired", "rerouted"]

    def get_queryset(self, request):
        jobcenter_filter = Q()
        reroute_filter = Q(events__action=AufgabeEvent.Action.REROUTED)
        if not request.user.is_superuser:
            jobcenter_filter = Q(aufgaben__kunde__jobcenter_id=request.user.jobcenter_id)
            reroute_filter &= Q(events__aufgabe__kunde__jobcenter_id=request.user.jobcenter_id)
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_fired=Count(
                    "aufgaben",
                    filter=Q(aufgaben__vermerk__isnull=False) & jobcenter_filter,
                    distinct=True,
                ),
                n_rerouted=Count("events__aufgabe", filter=reroute_filter, distinct=True),
            )
        )

    @admin.display(description=_("ausgelöst"))
    def fired(self, obj) -> int:
        return getattr(obj, "n_fired", 0)

    @admin.display(description=_("von Hand umgeleitet"))
    def rerouted(self, obj) -> int:
        return getattr(obj, "n_rerouted", 0)


@admin.register(InformationType)
class InformationTypeAdmin(AdministrationAdmin):
    # Each Jobcenter edits its own table; its rules come along as the inline.
    jobcenter_path = "jobcenter"
    list_display = [
        "name",
        "targets",
        "event_date",
        "reason",
        "text_required",
        "position",
        "active",
    ]
    list_filter = ["active", "rules__target"]
    list_editable = ["position"]
    search_fields = ["name", "code", "description"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [RoutingRuleInline]
    fieldsets = (
        (None, {"fields": ("name", "code", "active", "position", "source")}),
        (_("Für die Mitarbeitenden"), {"fields": ("hint", "description")}),
        (
            _("Angaben im Vermerk"),
            {
                "fields": (
                    "text_required",
                    ("event_date", "event_date_label"),
                    ("reason", "reason_label"),
                )
            },
        ),
        (_("Weiterleitung und Wiedervorlage"), {"fields": ("routed", "follow_up_days")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("rules")

    @admin.display(description=_("geht an"))
    def targets(self, obj) -> str:
        return ", ".join(r.target_label for r in obj.rules.all() if r.active) or "–"

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        audit_record(
            actor=request.user,
            action="change",
            target=form.instance,
            summary=_("Weiterleitungsregeln: %(rules)s")
            % {"rules": ", ".join(r.target_label for r in form.instance.rules.all() if r.active)},
        )


@admin.register(ApiClient)
class ApiClientAdmin(AdministrationAdmin):
    list_display = ["name", "jobcenter", "token_prefix", "active", "created_at", "last_used_at"]
    readonly_fields = ["token_prefix", "user", "created_at", "last_used_at"]
    actions = ["rotate_token"]

    def get_fields(self, request, obj=None):
        fields = ["name", "active"]
        if request.user.is_superuser:
            fields.insert(0, "jobcenter")
        return [*fields, *self.readonly_fields] if obj else fields

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None or request.user.is_superuser:
            return form

        class AddForm(form):
            def clean_name(self):
                name = self.cleaned_data["name"].strip()
                if ApiClient.objects.filter(
                    jobcenter_id=request.user.jobcenter_id, name=name
                ).exists():
                    raise ValidationError(_("Einen Zugang mit diesem Namen gibt es bereits."))
                return name

        return AddForm

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        jobcenter = obj.jobcenter if request.user.is_superuser else request.user.jobcenter
        client, token = api_client_create(jobcenter=jobcenter, name=obj.name, actor=request.user)
        obj.pk, obj.user_id, obj.jobcenter_id = client.pk, client.user_id, client.jobcenter_id
        obj.token_prefix, obj.token_hash = client.token_prefix, client.token_hash
        obj._state.adding = False
        self.message_user(
            request,
            _("Token für „%(name)s“ (wird nur jetzt angezeigt, bitte sicher übergeben): %(t)s")
            % {"name": client.name, "t": token},
            messages.WARNING,
        )

    @admin.action(description=_("Token erneuern (das alte wird ungültig)"))
    def rotate_token(self, request, queryset):
        for client in queryset:
            token = api_client_rotate(client=client, actor=request.user)
            self.message_user(
                request,
                _("Neues Token für „%(name)s“ (wird nur jetzt angezeigt): %(t)s")
                % {"name": client.name, "t": token},
                messages.WARNING,
            )


class AufgabeEventInline(AdministrationInline):
    model = AufgabeEvent
    extra = 0
    fields = ["at", "action", "actor", "postfach", "assignee", "rule", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Aufgabe)
class AufgabeAdmin(AdministrationAdmin):
    jobcenter_path = "created_by__jobcenter"
    list_display = ["title", "kind", "postfach", "assignee", "status", "urgent", "created_at"]
    list_filter = ["status", "kind", "urgent"]
    search_fields = ["title"]
    inlines = [AufgabeEventInline]
    # Items change through the mailbox steps only (claimed, done, re-routed: audited there).
    # The administration sees how work flows, not whom it is about nor what it says (need to
    # know): no customer, no note, no description, no closing note.
    fields = readonly_fields = [
        "kind",
        "title",
        "postfach",
        "assignee",
        "rule",
        "due_at",
        "status",
        "urgent",
        "call_requested",
        "claimed_by",
        "claimed_at",
        "follow_up_on",
        "done_by",
        "done_at",
        "created_by",
        "created_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
