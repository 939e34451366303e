"""The appointments app's refusals, raised by its services and put on its forms."""

from jobcenter.errors import DomainError


class AppointmentError(DomainError):
    """A refused booking or outcome; `field` names the input at fault, if one is."""
