"""The front desk's refusals, raised by its services and put on its forms."""

from jobcenter.errors import DomainError


class FrontdeskError(DomainError):
    """A refused front-desk action."""


class QueueEmpty(FrontdeskError):
    """Nobody waits for this desk."""
