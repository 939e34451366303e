from django import forms
from django.utils.translation import gettext_lazy as _

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
