"""The admin of a per-Jobcenter catalogue (information types, concerns, document checklist).

A new row belongs to the Jobcenter of the administrator who adds it; the form does not offer
the Jobcenter, so the uniqueness of a code or name within it is checked here, with the
German message of the model's constraint, instead of failing in the database.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class CatalogueAdminMixin:
    """Mix into an `AdministrationAdmin` whose model has a `jobcenter` foreign key."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # A concern's class comes from the same Jobcenter's catalogue.
        related = db_field.related_model
        scoped = any(f.name == "jobcenter" for f in related._meta.get_fields())
        if field is not None and scoped and not request.user.is_superuser:
            field.queryset = field.queryset.filter(jobcenter=request.user.jobcenter_id)
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        jobcenter_id = request.user.jobcenter_id

        class CatalogueForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                if self.instance.jobcenter_id is None:
                    self.instance.jobcenter_id = jobcenter_id

            def clean(self):
                cleaned = super().clean()
                if self.instance.jobcenter_id is None:
                    raise ValidationError(
                        _(
                            "Kataloge gehören je einem Jobcenter: bitte als dessen Verwaltung anmelden."
                        )
                    )
                return cleaned

            def _get_validation_exclusions(self):
                # The Jobcenter is set, not entered: validate (jobcenter, code) all the same.
                exclude = super()._get_validation_exclusions()
                exclude.discard("jobcenter")
                return exclude

        CatalogueForm.__name__ = form.__name__
        return CatalogueForm
