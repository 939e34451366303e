from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jobcenter.admin import AdministrationAdmin, JobcenterAdmin
from jobcenter.models import Jobcenter
from jobcenter.services import audit_record

from .models import ClosingDay, DeadlineRule
from .presets import PRESETS, apply_preset
from .services import deadlines_recompute


class RecomputingAdmin(AdministrationAdmin):
    """Every change of a rule or a closing day is audited and moves the open deadlines."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # audited there
        self._recompute(request, obj.jobcenter)

    def delete_model(self, request, obj):
        jobcenter = obj.jobcenter
        super().delete_model(request, obj)
        audit_record(
            actor=request.user, action="change", target=jobcenter, summary=f"gelöscht: {obj}"
        )
        self._recompute(request, jobcenter)

    def _recompute(self, request, jobcenter):
        n = deadlines_recompute(jobcenter=jobcenter)
        self.message_user(request, recomputed(n))


def recomputed(n: int) -> str:
    return ngettext(
        "%(n)d offene Frist neu berechnet.", "%(n)d offene Fristen neu berechnet.", n
    ) % {"n": n}


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(RecomputingAdmin):
    list_display = [
        "kind",
        "scope",
        "window",
        "start_event",
        "warn_lead",
        "effort_minutes",
        "valid_from",
        "source",
    ]
    list_filter = ["kind", "valid_from"]


@admin.register(ClosingDay)
class ClosingDayAdmin(RecomputingAdmin):
    list_display = ["day", "closed", "reason"]


def preset_action(name: str, apply=apply_preset):
    """An admin action applying preset `name` by `apply` (a higher app may add its own rules)."""

    def action(modeladmin, request, queryset):
        for jobcenter in queryset:
            created = apply(jobcenter=jobcenter, name=name)
            audit_record(
                actor=request.user, action="change", target=jobcenter, summary=f"Vorlage {name}"
            )
            n = deadlines_recompute(jobcenter=jobcenter)
            modeladmin.message_user(
                request,
                ngettext(
                    "%(jc)s: %(created)d Regel angelegt.",
                    "%(jc)s: %(created)d Regeln angelegt.",
                    created,
                )
                % {"jc": jobcenter, "created": created}
                + " "
                + recomputed(n),
                messages.SUCCESS,
            )

    action.__name__ = f"apply_preset_{name.replace('-', '_')}"
    action.short_description = _("Regelprofil übernehmen: %(label)s") % {
        "label": PRESETS[name]["label"]
    }
    return action


admin.site.unregister(Jobcenter)


@admin.register(Jobcenter)
class JobcenterWithPresetsAdmin(JobcenterAdmin):
    actions = [preset_action(name) for name in PRESETS]
