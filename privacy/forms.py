from django import forms
from django.utils.translation import gettext_lazy as _

from jobcenter.forms import KernForm

from .services import Grounds


class PersonSearchForm(KernForm):
    q = forms.CharField(
        label=_("Kd.-Nr. oder Nachname"),
        max_length=100,
        required=False,
        strip=True,
    )


class LegalHoldForm(KernForm):
    reason = forms.CharField(
        label=_("Grund des Sperrvermerks"),
        max_length=300,
        help_text=_("z. B. „Klageverfahren S 12 AS 345/26 anhängig“"),
    )


class LiftHoldForm(KernForm):
    hold = forms.IntegerField(widget=forms.HiddenInput)


class EraseForm(KernForm):
    grounds = forms.ChoiceField(
        label=_("Rechtsgrund"), choices=Grounds.CHOICES, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Begründung (ohne Namen)"),
        max_length=300,
        help_text=_("Wird mit der Zahl der gelöschten Datensätze protokolliert."),
    )
    confirm = forms.BooleanField(
        label=_(
            "Ich habe geprüft, dass die Löschung zulässig ist. Sie kann nicht rückgängig gemacht werden."
        ),
    )
