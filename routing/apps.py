from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = _("Vermerke und Aufgaben")

    def ready(self) -> None:
        from jobcenter.seeding import register

        from .services import catalogue_seed

        # A new Jobcenter starts with this app's default catalogue (jobcenter/seeding.py).
        register(catalogue_seed)
