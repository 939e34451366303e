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


class DeadlineListForm(forms.Form):
    """The filters of the deadline list (GET), as the dashboard's counts link to it."""

    regel = forms.ChoiceField(label=_("Regel"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    zustand = forms.ChoiceField(label=_("Stand"), required=False)
    zeitraum = forms.CharField(
        label=_("Zeitraum"),
        required=False,
        max_length=30,
        help_text=_(
            "Fälligkeit (bei erledigten Fristen: Erledigung), z. B. „2026-06“, „2026-06-05“ "
            "oder „2026-06-01..2026-06-05“."
        ),
    )

    def __init__(self, data, *, teams):
        super().__init__(data)
        from .models import RuleKind
        from .selectors import STATES

        self.fields["regel"].choices = [("", _("alle Regeln")), *RuleKind.choices]
        self.fields["team"].choices = [
            ("", _("alle Ihre Teams")),
            *((str(t.pk), t.name) for t in teams),
            ("ohne", _("ohne Team")),
        ]
        self.fields["zustand"].choices = list(STATES.items())

    def clean_zeitraum(self):
        from .selectors import Period

        text = self.cleaned_data["zeitraum"].strip()
        if not text:
            return None
        try:
            return Period.parse(text)
        except ValueError:
            raise forms.ValidationError(
                _("Zeitraum als „2026-06“, „2026-06-05“ oder „2026-06-01..2026-06-05“ angeben.")
            ) from None


class ForecastForm(forms.Form):
    tage = forms.TypedChoiceField(
        label=_("Vorschau über"),
        coerce=int,
        required=False,
        empty_value=10,
        choices=[(n, _("%(n)d Arbeitstage") % {"n": n}) for n in (5, 10, 15, 20, 30)],
    )
