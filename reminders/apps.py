from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Erinnerungen")

    def ready(self) -> None:
        # Register the tasks in every process (web, commands, worker): the services hand
        # their messages to the worker by the task's registered name.
        from . import tasks  # noqa: F401
