from django.contrib import admin

from jobcenter.admin import AdministrationAdmin
from jobcenter.models import Jobcenter

# Imported first so that its Jobcenter admin is registered before it is replaced below.
from minimumstandards.admin import JobcenterWithPresetsAdmin, preset_action
from minimumstandards.presets import PRESETS

from .models import InvitationRule
from .presets import apply_seed_preset


@admin.register(InvitationRule)
class InvitationRuleAdmin(AdministrationAdmin):
    """The invitation rules are law that changes (the 2026 SGB II reform): the
    Administration adds a row with a new valid-from date instead of editing the old one."""

    list_display = ["occasion", "with_rfb", "valid_from", "source", "jobcenter"]
    list_filter = ["occasion", "with_rfb"]
    ordering = ["occasion", "-valid_from"]


admin.site.unregister(Jobcenter)


@admin.register(Jobcenter)
class JobcenterWithSeedPresetsAdmin(JobcenterWithPresetsAdmin):
    """The rule profiles with the invitation rules of each seed (rule R-TE-05)."""

    actions = [preset_action(name, apply=apply_seed_preset) for name in PRESETS]
