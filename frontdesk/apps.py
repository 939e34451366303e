from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontdeskConfig(AppConfig):
    name = "frontdesk"
    verbose_name = _("Empfang und Eingangszone")

    def ready(self) -> None:
        from jobcenter.seeding import register

        from .services.catalogue import catalogue_seed

        # A new Jobcenter starts with this app's default catalogue (jobcenter/seeding.py).
        register(catalogue_seed)
