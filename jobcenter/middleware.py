"""Session and caching rules that every page with social data shares."""

import time
from collections.abc import Callable
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import add_never_cache_headers

# Polling requests (htmx `every Ns`) say so in this header; they must not keep a session
# alive, or idle logout never comes while a desk or dashboard page stays open.
POLL_HEADER = "HTTP_X_POLL"
# Write the last activity at most this often: a session row is not rewritten on every click.
ACTIVITY_RESOLUTION = 60


def mark_activity(sender, request, user, **kwargs) -> None:
    """At login the idle clock starts (connected to `user_logged_in` in apps.py)."""
    request.session["last_activity"] = int(time.time())


def _is_poll(request: HttpRequest) -> bool:
    return request.META.get(POLL_HEADER) == "1"


class IdleSessionMiddleware:
    """Log out after SESSION_IDLE_SECONDS without a real (non-poll) request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_activity")
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif not _is_poll(request) and (last is None or now - last >= ACTIVITY_RESOLUTION):
                request.session["last_activity"] = now
        response = self.get_response(request)
        return self._login_redirect_for_htmx(request, response)

    @staticmethod
    def _login_redirect_for_htmx(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        # An htmx request redirected to the login page would swap the login form into a
        # page region: send the whole browser there instead.
        if not request.headers.get("HX-Request") or response.status_code != 302:
            return response
        location = response.get("Location", "")
        login_url = resolve_url(settings.LOGIN_URL)
        if not location.startswith(login_url):
            return response
        page = request.headers.get("HX-Current-URL", "")
        redirect = HttpResponse(status=200)
        redirect["HX-Redirect"] = login_url + (f"?next={_path_of(page)}" if page else "")
        return redirect


def _path_of(url: str) -> str:
    # Only the path: query strings may carry a searched name.
    return quote(urlsplit(url).path or "/")


class NoStoreMiddleware:
    """Pages for signed-in staff carry social data: no browser or proxy may keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
