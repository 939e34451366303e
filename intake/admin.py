from django.contrib import admin

from jobcenter.admin import AdministrationAdmin
from jobcenter.admin_catalogue import CatalogueAdminMixin

from .models import DocumentType


@admin.register(DocumentType)
class DocumentTypeAdmin(CatalogueAdminMixin, AdministrationAdmin):
    # Each Jobcenter edits its own checklist.
    jobcenter_path = "jobcenter"
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]
