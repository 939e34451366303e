from django import forms
from django.utils.translation import gettext_lazy as _

from jobcenter.forms import KernForm

# The reason is documented on the deadline (a TextField): the form keeps it to a note's size.
PAUSE_REASON_MAX_LENGTH = 500


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Grund"),
        max_length=PAUSE_REASON_MAX_LENGTH,
        error_messages={
            "required": _("Bitte den Grund der Unterbrechung dokumentieren."),
            "max_length": _(
                "Der Grund darf höchstens %(limit_value)d Zeichen lang sein "
                "(eingegeben: %(show_value)d)."
            ),
        },
    )


MONTHS_OFFERED = 24


class MonthlyReportForm(KernForm):
    """Which team's monthly report, of which past month (the dashboard's download)."""

    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("Bitte eines Ihrer Teams wählen.")},
    )
    monat = forms.ChoiceField(
        label=_("Monat"),
        error_messages={"invalid_choice": _("Bitte einen vergangenen Monat wählen.")},
    )
    format = forms.ChoiceField(
        choices=[("pdf", "PDF"), ("xlsx", "Excel")], widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args, teams, today, **kwargs):
        from django.utils import formats

        from .monthly import month_start, previous_month

        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        months, first = [], previous_month(month_start(today))
        for _i in range(MONTHS_OFFERED):
            months.append((f"{first:%Y-%m}", formats.date_format(first, "F Y")))
            first = previous_month(first)
        self.fields["monat"].choices = months

    def clean_monat(self):
        from datetime import date

        year, month = self.cleaned_data["monat"].split("-")
        return date(int(year), int(month), 1)
