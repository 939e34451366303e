from datetime import timedelta

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobcenter.admin import AdministrationAdmin, register_admin_view
from jobcenter.models import AuditEvent
from jobcenter.services import audit_read

from .models import DocumentType, Kunde


@admin.register(DocumentType)
class DocumentTypeAdmin(AdministrationAdmin):
    # Each Jobcenter edits its own checklist.
    jobcenter_path = "jobcenter"
    list_display = ["name", "position", "active"]
    list_editable = ["position", "active"]


class SubjectReadsForm(forms.Form):
    kundennummer = forms.CharField(label=_("Kd.-Nr."), max_length=20, strip=True)


def subject_reads(request):
    """For the data-protection officer: who has seen or changed this person in the last
    year. Looking is itself audited."""
    form = SubjectReadsForm(request.GET or None)
    kunde, page = None, None
    not_found = False
    if form.is_valid():
        kunden = Kunde.objects.all()
        if not request.user.is_superuser:
            kunden = kunden.filter(jobcenter_id=request.user.jobcenter_id)
        kunde = kunden.filter(kundennummer__iexact=form.cleaned_data["kundennummer"]).first()
        not_found = kunde is None
    if kunde is not None:
        # Audited first: the list then counts and shows this look too.
        audit_read(
            actor=request.user,
            target=kunde,
            summary="Einsichtsprotokoll abgerufen",
            subject_ids=[kunde.pk],
        )
        since = timezone.now() - timedelta(days=365)
        events = (
            AuditEvent.objects.filter(subject_id=kunde.pk, at__gte=since)
            .select_related("actor", "target_type")
            .order_by("-at", "-id")
        )
        page = Paginator(events, 50).get_page(request.GET.get("seite"))
    context = {
        **admin.site.each_context(request),
        "title": _("Wer hat diese Person eingesehen?"),
        "form": form,
        "kunde": kunde,
        "page": page,
        "not_found": not_found,
    }
    return TemplateResponse(request, "admin/intake/subject_reads.html", context)


register_admin_view("einsichten/", subject_reads, "intake_subject_reads")
