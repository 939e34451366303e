from django.contrib import admin

from jobcenter.admin import AdministrationAdmin

from .models import DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(AdministrationAdmin):
    jobcenter_path = ""
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]
