"""One shape for a refused domain step, and one way to show it on a form.

Every app's service raises a subclass of `DomainError` (`IntakeError`, `RoutingError`,
`AppointmentError`, ...). The message is German and meant for the person at the screen;
`field` or `errors` say which input is at fault, so a view can put the message beside it:

    try:
        vermerk_route(...)
    except RoutingError as error:
        add_to_form(form, error)
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

# Shown when a PermissionDenied arrives without a text of its own.
NOT_ALLOWED = _("Das dürfen Sie nicht.")


class DomainError(Exception):
    """A rule refused the step; `message` is German and meant for the user.

    `field` names the one input at fault; `errors` maps several inputs to their own
    messages (an empty message marks the input without a text of its own, e.g. for the
    API's list of faulty fields). Without either, the message concerns the whole form.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors: dict[str, str] = dict(errors or {})

    def __str__(self) -> str:
        return str(self.message)

    @property
    def field_errors(self) -> dict[str, str]:
        """Input → message, the single `field` included (with the main message)."""
        found = dict(self.errors)
        if self.field and not found.get(self.field):
            found[self.field] = self.message
        return found


def add_to_form(form, error: DomainError | PermissionDenied) -> None:
    """Put a refused step's message on the form: beside its input, or above the form.

    A message for an input the form does not have goes above the form; when no input
    got a message, the main message does. A `PermissionDenied` is shown above the form.
    """
    if not isinstance(error, DomainError):
        form.add_error(None, str(error) or NOT_ALLOWED)
        return
    placed = False
    for field, message in error.field_errors.items():
        if not message:
            continue
        form.add_error(field if field in form.fields else None, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)
