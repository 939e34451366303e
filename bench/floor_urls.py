"""The project's URLs plus the back-office bench's floor view (bench/backoffice.py).

The floor is the cheapest page a logged-in user can open on the same stack: every
middleware (session, CSRF, login, security headers, audit), the session and user read, a
tiny response, no template and no query of its own. A page's ratio is its time over this.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def floor(request):
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("jobcenter.urls")),
]
