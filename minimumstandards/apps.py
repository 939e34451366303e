from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MinimumstandardsConfig(AppConfig):
    name = "minimumstandards"
    verbose_name = _("Mindeststandards")
