from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Termine")

    def ready(self) -> None:
        from intake.registration import register_after_registration

        from . import worklist
        from .services.group_events import group_event_invite_at_application

        worklist.register()
        # Rule R-GV-02: the invitation to the group event at every application.
        register_after_registration(group_event_invite_at_application)
