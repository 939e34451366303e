from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo Jobcenter: builders and `manage.py demo_jobcenter`; no models, no URLs.

    It builds only through the production apps' services, so the demo's cases, visits,
    appointments and mailboxes come out as a user's work would."""

    name = "demo"
    verbose_name = _("Demo-Jobcenter")
