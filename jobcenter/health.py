"""/healthz: the system's health for the proxy, the orchestrator and monitoring.

Built on django-health-check. The checks are named in settings.HEALTH_CHECKS (dotted paths,
read at every request), so each settings module picks its own and apps contribute theirs
(minimumstandards.health) without this module importing them. /healthz/live answers without
touching anything: the cheap liveness probe of the web container.

Answers are plain text (or JSON / OpenMetrics with ?format=): the check names and "OK" or
the failure, never data of a person.
"""

import dataclasses
import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.contrib.redis import Redis
from health_check.views import HealthCheckView


class Broker(Redis):
    """The Celery broker answers PING (Redis, from CELERY_BROKER_URL)."""

    def __init__(self) -> None:
        super().__init__(client_factory=_broker_client)

    def __repr__(self) -> str:
        return "Broker"


def _broker_client():
    from redis.asyncio import Redis as RedisClient

    return RedisClient.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2
    )


@dataclasses.dataclass
class CeleryWorker(Ping):
    """At least one Celery worker answers a ping and consumes the default queue."""

    timeout: datetime.timedelta = dataclasses.field(
        default=datetime.timedelta(seconds=2), repr=False
    )
    limit: int | None = dataclasses.field(default=1, repr=False)

    def __post_init__(self) -> None:
        from jobcenter.celery import app

        self.app = app

    def __repr__(self) -> str:
        return "CeleryWorker"


class Health(HealthCheckView):
    def get_checks(self):
        for path in settings.HEALTH_CHECKS:
            check: type[HealthCheck] = import_string(path)
            yield check()

    def render_to_response(self, context, **response_kwargs):
        # The library's HTML page carries inline styles (refused by our CSP): text instead.
        return self.render_to_response_text(response_kwargs.get("status", 200))


healthz = login_not_required(Health.as_view())


@login_not_required
@never_cache
def healthz_live(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
