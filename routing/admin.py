from django.contrib import admin

from jobcenter.admin import AdministrationAdmin

from .models import Aufgabe


@admin.register(Aufgabe)
class AufgabeAdmin(AdministrationAdmin):
    jobcenter_path = "created_by__jobcenter"
    list_display = ["title", "postfach", "assignee", "status", "created_at"]
    list_filter = ["status"]
