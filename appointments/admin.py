from django.contrib import admin

from jobcenter.admin import AdministrationAdmin

from .models import InvitationRule


@admin.register(InvitationRule)
class InvitationRuleAdmin(AdministrationAdmin):
    """The invitation rules are law that changes (the 2026 SGB II reform): the
    Administration adds a row with a new valid-from date instead of editing the old one."""

    list_display = ["occasion", "with_rfb", "valid_from", "source", "jobcenter"]
    list_filter = ["occasion", "with_rfb"]
    ordering = ["occasion", "-valid_from"]
