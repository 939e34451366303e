from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobcenterConfig(AppConfig):
    name = "jobcenter"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import mark_activity

        user_logged_in.connect(mark_activity, dispatch_uid="jobcenter-idle-clock")

        from django_auth_ldap.backend import ldap_error

        from .sso import _ldap_error

        ldap_error.connect(_ldap_error, dispatch_uid="jobcenter-ldap-error")
