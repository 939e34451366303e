from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "frontdesk"
    verbose_name = _("Empfang und Eingangszone")

    def ready(self) -> None:
        from jobcenter.seeding import register

        from . import versions
        from .services.catalogue import catalogue_seed

        # Every write the desk lists and displays show raises its site's version.
        versions.connect()

        # A new Jobcenter starts with this app's default catalogue (jobcenter/seeding.py).
        register(catalogue_seed)
