"""The unchanged poll, answered before the rest of the stack (issue 13).

`PollMiddleware` sits right after SecurityMiddleware, before static files, session, locale,
CSRF, authentication, messages and CSP. A GET of the desk list or of a display's state that
brings an ETag (`If-None-Match`) is checked here with one raw SQL statement and, if nothing
it shows has changed (`frontdesk.versions`), answered "304 Not Modified":

- the desk list: one statement reads the session row (by the session cookie), the desk,
  its occupant and the site's version together; the session data is decoded (and its
  signature checked) as SessionMiddleware would. Everything the normal path would refuse
  falls through to it: another user in the session, a session idle for longer than
  SESSION_IDLE_SECONDS (the normal path logs it out), an expired session, a changed
  password, an account switched off or without the right to use a desk, a desk closed or
  taken over, a desk left idle, a session engine other than the database. The session is
  read, never written: a poll does not keep it alive.
- the display: one statement for the display by its key with the site's version.

The ETag also carries the minute, since minutes waited and the clock move on by themselves.
Anything the ETag does not cover is answered by the normal path, which sets a new one.
"""

import hmac
import time
from collections.abc import Callable

import rules
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import constant_time_compare

from jobcenter.models import User
from jobcenter.services import secret_hash

from . import versions
from .models import Desk, Display, display_token_prefix
from .selectors import DESK_IDLE
from .services.desks import SEEN_RESOLUTION

DB_SESSIONS = "django.contrib.sessions.backends.db"
DISPLAY_PREFIX = "/anzeige/"
DISPLAY_SUFFIX = "/stand.json"


def _tag_parts(header: str, prefix: str) -> list[str] | None:
    tag = header.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    if not (tag.startswith(f'"{prefix}') and tag.endswith('"')):
        return None
    return tag[1 + len(prefix) : -1].split("-")


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    add_never_cache_headers(response)
    return response


def _one_row(sql: str, params: list) -> tuple | None:
    # Raw SQL: a poll every few seconds per screen pays for no query compilation and no
    # model instances (issue 13: the unchanged poll's CPU).
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


_DESK_SQL: str | None = None


def _desk_sql() -> str:
    """The session, the desk, its occupant and the site's version in one statement."""
    global _DESK_SQL
    if _DESK_SQL is None:
        from django.contrib.sessions.models import Session

        from jobcenter.models import Standort

        from .models import SiteVersion

        _DESK_SQL = (
            "SELECT s.session_data, u.password, u.is_active, u.role, u.jobcenter_id,"
            " v.value, d.last_seen_at"
            f" FROM {Session._meta.db_table} s"
            f" JOIN {Desk._meta.db_table} d ON d.id = %s AND d.occupied_by_id = %s AND d.active"
            f" JOIN {User._meta.db_table} u ON u.id = d.occupied_by_id"
            f" JOIN {Standort._meta.db_table} st"
            "  ON st.id = d.standort_id AND st.jobcenter_id = u.jobcenter_id"
            f" JOIN {SiteVersion._meta.db_table} v ON v.standort_id = d.standort_id"
            " WHERE s.session_key = %s AND s.expire_date > %s"
        )
    return _DESK_SQL


def desk_not_modified(request: HttpRequest, header: str) -> HttpResponse | None:
    parts = _tag_parts(header, "fd-d")
    if parts is None or len(parts) != 4 or not all(p.lstrip("u").isdigit() for p in parts):
        return None
    desk_id, user_id, value, minute = int(parts[0]), int(parts[1][1:]), int(parts[2]), parts[3]
    now = timezone.now()
    if int(minute) != versions.minute_of(now):
        return None
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not session_key or settings.SESSION_ENGINE != DB_SESSIONS or len(session_key) > 40:
        return None
    row = _one_row(_desk_sql(), [desk_id, user_id, session_key, now])
    if row is None:
        return None
    session_data, password, is_active, role, jobcenter_id, current, last_seen = row
    if current != value or last_seen is None or last_seen < now - DESK_IDLE:
        return None
    session = SessionStore().decode(session_data)  # {} if tampered with
    if str(session.get(SESSION_KEY)) != str(user_id):
        return None
    if session.get(BACKEND_SESSION_KEY) not in settings.AUTHENTICATION_BACKENDS:
        return None
    last = session.get("last_activity")
    if last is None or int(time.time()) - last > settings.SESSION_IDLE_SECONDS:
        return None  # the normal path logs this session out
    user = User(pk=user_id, password=password, is_active=is_active, role=role)
    user.jobcenter_id = jobcenter_id
    if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None  # password changed (or an older secret key): the normal path decides
    if not rules.has_perm("frontdesk.use_desk", user):
        return None
    if last_seen < now - SEEN_RESOLUTION:
        Desk.objects.filter(pk=desk_id).update(last_seen_at=now)  # as desk_seen
    return _not_modified(header.strip())


_DISPLAY_SQL: str | None = None


def _display_sql() -> str:
    global _DISPLAY_SQL
    if _DISPLAY_SQL is None:
        from .models import SiteVersion

        _DISPLAY_SQL = (
            "SELECT a.token_hash, v.value, a.last_seen_at"
            f" FROM {Display._meta.db_table} a"
            f" JOIN {SiteVersion._meta.db_table} v ON v.standort_id = a.standort_id"
            " WHERE a.id = %s AND a.token_prefix = %s AND a.active"
        )
    return _DISPLAY_SQL


def display_not_modified(token: str, header: str) -> HttpResponse | None:
    parts = _tag_parts(header, "fd-a")
    if parts is None or len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    display_id, value, minute = (int(p) for p in parts)
    now = timezone.now()
    if minute != versions.minute_of(now) or not token or len(token) > 64:
        return None
    row = _one_row(_display_sql(), [display_id, display_token_prefix(token)])
    if row is None:
        return None
    token_hash, current, last_seen = row
    if not token_hash or not hmac.compare_digest(token_hash, secret_hash(token)):
        return None
    if current != value:
        return None
    if last_seen is None or last_seen < now - SEEN_RESOLUTION:
        Display.objects.filter(pk=display_id).update(last_seen_at=now)  # as views._display
    return _not_modified(header.strip())


class PollMiddleware:
    """Answer an unchanged poll of the desk list or a display with 304, early."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.desk_path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_IF_NONE_MATCH")
        if header and request.method == "GET":
            response = self._answer(request, header)
            if response is not None:
                return response
        return self.get_response(request)

    def _answer(self, request: HttpRequest, header: str) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(DISPLAY_PREFIX) and path.endswith(DISPLAY_SUFFIX):
            token = path[len(DISPLAY_PREFIX) : -len(DISPLAY_SUFFIX)]
            if "/" not in token:
                return display_not_modified(token, header)
            return None
        if self.desk_path is None:
            self.desk_path = reverse("frontdesk:desk_queue")
        if path == self.desk_path:
            return desk_not_modified(request, header)
        return None
