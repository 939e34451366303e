from django.contrib import admin

from jobcenter.admin import AdministrationAdmin

from .models import RetentionPolicy, RetentionRun


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(AdministrationAdmin):
    """Each Jobcenter's administration sets its retention periods (one row per Jobcenter,
    created with the Jobcenter: never added or deleted by hand)."""

    jobcenter_path = "jobcenter"
    # A one-to-one link, which the base class does not strip by itself: never chosen.
    hidden_from_jobcenters = ("jobcenter",)
    list_display = [
        "__str__",
        "visits_months",
        "notes_months",
        "appointments_months",
        "cases_months",
        "audit_months",
        "persons_months",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RetentionRun)
class RetentionRunAdmin(AdministrationAdmin):
    """The log of deletions: written by the retention and the erasure, read here."""

    jobcenter_path = "jobcenter"
    list_display = ["at", "trigger", "actor", "total", "grounds"]
    list_filter = ["trigger"]
    readonly_fields = ["at", "trigger", "actor", "counts", "grounds"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
