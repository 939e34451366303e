from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Datenschutz")

    def ready(self) -> None:
        from jobcenter.seeding import register

        from .retention import policy_of

        # A new Jobcenter starts with the documented default retention periods.
        register(policy_of)
