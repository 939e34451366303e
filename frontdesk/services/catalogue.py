"""The concern catalogue of a Jobcenter: its default classes and concerns."""

from jobcenter.models import Jobcenter
from routing.models import InformationType

from .. import catalogue
from ..models import Concern, ConcernClass, ConcernTypeChoice


def catalogue_seed(jobcenter: Jobcenter) -> int:
    """Give the Jobcenter the default concern classes and concerns.

    Idempotent: classes (by name) and concerns (by code) it already has stay as they are.
    """
    created = catalogue.seed(
        jobcenter.pk,
        concern_class_model=ConcernClass,
        concern_model=Concern,
        information_type_model=InformationType,
    )
    catalogue.seed_desk_choices(
        jobcenter.pk,
        concern_model=Concern,
        choice_model=ConcernTypeChoice,
        information_type_model=InformationType,
    )
    return created
