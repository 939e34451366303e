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
