"""What a new Jobcenter starts with: each app's default catalogues.

The organisation app imports no other app, so the apps that own a per-Jobcenter catalogue
(information types and routing rules, concerns, document checklist) register their seeder
here from `AppConfig.ready()`. Whoever creates a Jobcenter (the admin, the demo, the test
factories) calls `seed_new_jobcenter`; every seeder is idempotent, so calling it twice adds
nothing.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction

if TYPE_CHECKING:
    from .models import Jobcenter

Seeder = Callable[["Jobcenter"], object]

_seeders: list[Seeder] = []


def register(seeder: Seeder) -> Seeder:
    """Register `seeder(jobcenter)`; registering the same function twice keeps one."""
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def seeders() -> tuple[Seeder, ...]:
    return tuple(_seeders)


def seed_new_jobcenter(jobcenter: "Jobcenter") -> None:
    """Give `jobcenter` every app's default catalogue rows it does not have yet."""
    with transaction.atomic():
        for seeder in _seeders:
            seeder(jobcenter)
