"""Benchmark: the front desk through the real HTTP stack (gunicorn, PostgreSQL).

Run by `make bench` (scripts/bench.sh) against its throwaway, migrated PostgreSQL. Seeds a
site with desks and staff, starts gunicorn on a free port, and measures in the same run:

- the floor: a bare Django view (/healthz/live), no session, no database;
- the desk list's server time with 500 customers waiting (GET /aufruf/liste/ as htmx polls
  it, and the whole desk page), one client, median and 95th percentile;
- check-ins per second: POST /empfang/ from logged-in reception sessions, with CSRF;
- call-ups per second: POST /aufruf/naechste/, the desk page it leads to, and the POST that
  finishes the visit, from logged-in desks (each call-up is these three requests).

- the floors (bench/floors.py, mounted only in this bench's gunicorn settings): minimal
  views on the same stack with the same essential writes in one transaction; every figure
  is printed with its floor and the ratio;
- one client, one request at a time: check-in, its redirect page, the call-up cycle;
- the unchanged polls (304 from the site's version): latency and server CPU per request
  (gunicorn and PostgreSQL processes, from /proc), and their queries;
- the query counts of desk page, check-in, call-up, finish and polls (in process);
- the hosting centre (100 Jobcenters x 10 desks, 300 displays) scaled down to SIM_SITES
  sites polling at their real intervals while the queues change, CPU-seconds per second,
  extrapolated linearly to 100 sites.

Prints lines starting with `frontdesk-http:`.
"""

import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobcenter.settings.test")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from frontdesk.models import Concern, Desk, Visit, VisitState  # noqa: E402
from frontdesk.services.checkin import CheckIn, visit_check_in  # noqa: E402
from jobcenter.models import Jobcenter, Postfach, Standort, Team, User  # noqa: E402
from jobcenter.roles import Role  # noqa: E402
from jobcenter.seeding import seed_new_jobcenter  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_FRONTDESK_CLIENTS", 4))
SECONDS = float(os.environ.get("BENCH_FRONTDESK_SECONDS", 5))
WAITING = 500
SAMPLES = 60
PASSWORD = "bench-frontdesk-2026"
PREFIX = "fdbench"

# gunicorn gets the test settings with persistent database connections, as in production
# (the test settings close the connection after every request).
SETTINGS = """
from jobcenter.settings.test import *  # noqa: F403
DATABASES["default"]["CONN_MAX_AGE"] = 60  # noqa: F405
# The floors (bench/floors.py) beside the normal URLs: only here, never in production.
ROOT_URLCONF = "bench.floors"
# As in production: static files are collected once, not looked up on every request.
WHITENOISE_AUTOREFRESH = False
"""


def log(message: str) -> None:
    print(message, flush=True)


# --- seed ------------------------------------------------------------------------------------


def seed():
    jobcenter = Jobcenter.objects.create(
        name="Jobcenter Bench-Empfang",
        slug=f"{PREFIX}-jc",
        bundesland="NW",
        dienststelle="96299",
        kundennummer_prefix="962Z",
    )
    seed_new_jobcenter(jobcenter)  # its concern catalogue
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    ez = Team.objects.create(jobcenter=jobcenter, name="Eingangszone", kind="eingangszone")
    Postfach.objects.create(team=ez, name="Postfach Eingangszone")
    users = {"empfang": [], "ez": []}
    for n in range(CLIENTS):
        for role, key in ((Role.EMPFANG, "empfang"), (Role.EINGANGSZONE, "ez")):
            user = User(
                username=f"{PREFIX}-{key}{n}", role=role, jobcenter=jobcenter, first_name=key
            )
            user.set_password(PASSWORD)
            user.save()
            users[key].append(user)
        desk = Desk.objects.create(standort=site, name=f"Schalter {n + 1}", position=n)
        desk.teams.set([ez])
    return site, users


def fill_queue(site, actor, concern, target: int) -> int:
    """Top the queue up to `target` waiting customers, through the check-in service."""
    waiting = Visit.objects.filter(
        standort=site, day=timezone.localdate(), state=VisitState.WAITING
    ).count()
    with transaction.atomic():
        for _ in range(target - waiting):
            visit_check_in(actor=actor, data=CheckIn(standort=site, concerns=[concern]))
    return Visit.objects.filter(
        standort=site, day=timezone.localdate(), state=VisitState.WAITING
    ).count()


# --- a small HTTP client with cookies and CSRF -------------------------------------------------


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, headers=None):
        body = urlencode(data, doseq=True) if data is not None else None
        head = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=head)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed a kept-alive connection: once more
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response, content

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data=data)

    def login(self, username: str) -> "Client":
        self.get("/anmelden/")
        status, _response, _ = self.post("/anmelden/", {"username": username, "password": PASSWORD})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login of {username} failed: HTTP {status}")
        return self


def expect(status: int, wanted: int, what: str, body: bytes = b"") -> None:
    if status != wanted:
        raise SystemExit(f"{what}: HTTP {status}, expected {wanted}\n{body[:2000].decode()}")


# --- load ------------------------------------------------------------------------------------


def run_parallel(workers) -> tuple[int, float, list[float]]:
    """Run each worker's step in its own thread for SECONDS; count steps and their times."""
    counts = [0] * len(workers)
    durations: list[list[float]] = [[] for _ in workers]
    start = threading.Barrier(len(workers) + 1)
    stop_at = [0.0]
    errors: list[BaseException] = []

    def loop(index, step):
        try:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                t = time.perf_counter()
                step()
                durations[index].append(time.perf_counter() - t)
                counts[index] += 1
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=loop, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + SECONDS
    begun = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    if errors:
        raise errors[0]
    return sum(counts), elapsed, [d for per in durations for d in per]


def ms(values: list[float], q: float = 0.5) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(workdir: Path, port: int) -> subprocess.Popen:
    (workdir / "frontdesk_bench_settings.py").write_text(SETTINGS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "frontdesk_bench_settings",
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
    }
    workers = max(2, os.cpu_count() or 2)
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "jobcenter.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(workdir / "gunicorn.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    # Two workers importing Django take 20 s and more on a loaded 2-core machine.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            status, _response, _body = Client(port).get("/healthz/live")
            if status == 200:
                log(f"gunicorn: {workers} workers x 4 threads on 127.0.0.1:{port}")
                return process
        except OSError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start:\n" + (workdir / "gunicorn.log").read_text())


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    started = time.perf_counter()
    site, users = seed()
    concern = Concern.objects.get(jobcenter=site.jobcenter, code="sachstand")
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as tmp:
        port = free_port()
        server = start_gunicorn(Path(tmp), port)
        try:
            measure(port, site, users, concern, server.pid)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    log(f"frontdesk-http: total {time.perf_counter() - started:.1f} s")


# --- CPU of the server side (gunicorn and PostgreSQL processes) ---------------------------


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, CPU seconds so far) of every process we can read."""
    tick = os.sysconf("SC_CLK_TCK")
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: state ppid ... utime(11) stime(12) cutime(13) cstime(14) (0-based
        # from state). cutime/cstime hold the CPU of children that have exited and been
        # reaped: a PostgreSQL backend closed after CONN_MAX_AGE (or a restarted worker)
        # must not take its CPU out of the sum (the sum fell below zero once).
        cpu = sum(int(fields[i]) for i in (11, 12, 13, 14))
        table[int(entry)] = (int(fields[1]), cpu / tick)
    return table


def server_cpu(roots: list[int]) -> float:
    """CPU seconds used so far by these processes and all their descendants."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, todo, seen = 0.0, list(roots), set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        total += table[pid][1]
        todo.extend(children.get(pid, []))
    return total


def postmaster_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return _proc_table()[backend][0]


# --- query counts, in process ----------------------------------------------------------------


def count_queries(site, users, concern) -> dict[str, int]:
    """The queries of each request through the whole stack (django.test.Client)."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from frontdesk.services.displays import display_create

    def run(client, method, path, data=None, **headers):
        with CaptureQueriesContext(connection) as ctx:
            response = getattr(client, method)(path, data, **headers)
        sql = [q["sql"] for q in ctx.captured_queries]
        return response, len([q for q in sql if not q.startswith(("SAVEPOINT", "RELEASE"))])

    counts = {}
    reception = DjangoClient(HTTP_HOST="127.0.0.1")
    reception.force_login(users["empfang"][0])
    reception.get("/empfang/")
    data = {"standort": site.pk, "q": "", "concerns": [concern.pk], "action": "wait"}
    reception.post("/empfang/", data)  # the site is remembered in the session from now on
    response, counts["check-in POST"] = run(reception, "post", "/empfang/", data)
    _r, counts["check-in redirect page"] = run(reception, "get", response["Location"])
    desk = DjangoClient(HTTP_HOST="127.0.0.1")
    desk.force_login(users["ez"][0])
    _r, counts["desk page, nobody called"] = run(desk, "get", "/aufruf/")
    _r, counts["call-up POST"] = run(desk, "post", "/aufruf/naechste/", {})
    page, counts["desk page, someone called"] = run(desk, "get", "/aufruf/")
    match = re.search(rb'action="/aufruf/besuch/(\d+)/abschliessen/"', page.content)
    _r, counts["finish POST"] = run(
        desk,
        "post",
        f"/aufruf/besuch/{match.group(1).decode()}/abschliessen/",
        {"finish-outcome": "resolved", "finish-handled": [concern.pk], "finish-note": ""},
    )
    poll = {"HTTP_X_POLL": "1", "HTTP_HX_REQUEST": "true"}
    first, counts["desk list poll, changed (200)"] = run(desk, "get", "/aufruf/liste/", **poll)
    again, counts["desk list poll, unchanged (304)"] = run(
        desk, "get", "/aufruf/liste/", HTTP_IF_NONE_MATCH=first["ETag"], **poll
    )
    assert again.status_code == 304, again.status_code
    _screen, token = display_create(standort=site, name="Bench-Zähler")
    anon = DjangoClient(HTTP_HOST="127.0.0.1")
    path = f"/anzeige/{token}/stand.json"
    first, counts["display poll, changed (200)"] = run(anon, "get", path)
    anon.get(path)  # the display's heartbeat is written once a minute: not in the 304 count
    again, counts["display poll, unchanged (304)"] = run(
        anon, "get", path, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304, again.status_code
    return counts


# --- the measurements --------------------------------------------------------------------------


def one_by_one(step, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return times


def side_by_side(real, floor, n: int) -> tuple[list[float], list[float]]:
    """Real step and floor in turns, so a busy moment of the machine hits both alike."""
    real_times, floor_times = [], []
    for _ in range(n):
        real_times += one_by_one(real, 1)
        floor_times += one_by_one(floor, 1)
    return real_times, floor_times


def ratio_line(label: str, real: list[float], floor: list[float], extra: str = "") -> float:
    r = ms(real) / ms(floor)
    log(
        f"frontdesk-http: {label}: median {ms(real):.1f} ms, floor {ms(floor):.1f} ms,"
        f" ratio {r:.2f}{extra}"
    )
    return r


def measure(port: int, site, users, concern, gunicorn_pid: int) -> None:
    pg = postmaster_pid()
    roots = [gunicorn_pid, pg]
    ez_team = Team.objects.get(jobcenter=site.jobcenter, kind="eingangszone")
    receptions = [Client(port).login(u.username) for u in users["empfang"]]
    desks = [Client(port).login(u.username) for u in users["ez"]]
    for index, client in enumerate(desks):
        desk = Desk.objects.get(standort=site, name=f"Schalter {index + 1}")
        status, _r, body = client.post("/aufruf/oeffnen/", {"desk": desk.pk})
        expect(status, 302, "open desk", body)

    # The desk list with 500 waiting, as one desk sees it.
    waiting = fill_queue(site, users["empfang"][0], concern, WAITING)
    client = desks[0]
    poll_headers = {"HX-Request": "true", "X-Poll": "1"}
    for path, headers, label in (
        ("/aufruf/liste/", poll_headers, "desk list (htmx, 50 of them shown), changed"),
        ("/aufruf/", {}, "desk page"),
    ):
        times = []
        for _ in range(SAMPLES):
            t = time.perf_counter()
            status, _r, body = client.get(path, headers=headers)
            times.append(time.perf_counter() - t)
            expect(status, 200, path, body)
        log(
            f"frontdesk-http: {label} with {waiting} waiting: median {ms(times):.1f} ms,"
            f" p95 {ms(times, 0.95):.1f} ms ({SAMPLES} requests)"
        )

    # The floor of everything: a bare Django view in the same server, one client.
    bare = Client(port)
    healthz = one_by_one(lambda: expect(bare.get("/healthz/live")[0], 200, "/healthz/live"), 200)
    log(f"frontdesk-http: floor /healthz/live, one client: median {ms(healthz):.2f} ms")

    # The unchanged polls: 304 from the version; latency and the server's CPU per request.
    def unchanged(c, path, headers, n=400):
        status, response, body = c.get(path, headers=headers)
        expect(status, 200, path, body)
        tag = response.headers["ETag"]
        conditional = {**headers, "If-None-Match": tag}
        cpu = server_cpu(roots)
        times = []
        for _ in range(n):
            t = time.perf_counter()
            status, _r, body = c.get(path, headers=conditional)
            if status == 304:
                times.append(time.perf_counter() - t)
            else:  # the minute turned: take the new version and go on
                expect(status, 200, path, body)
                conditional["If-None-Match"] = _r.headers["ETag"]
        if len(times) < n * 0.9:
            raise SystemExit(f"{path}: only {len(times)} of {n} unchanged polls answered 304")
        return times, (server_cpu(roots) - cpu) / n

    times, cpu = unchanged(client, "/aufruf/liste/", poll_headers)
    log(
        f"frontdesk-http: desk list poll, unchanged (304): median {ms(times):.2f} ms,"
        f" server CPU {1000 * cpu:.2f} ms per poll (target < 2 ms), floor /healthz/live"
        f" {ms(healthz):.2f} ms, ratio {ms(times) / ms(healthz):.2f}"
    )
    from frontdesk.services.displays import display_create

    _screen, token = display_create(standort=site, name="Bench-Wartebereich")
    display_path = f"/anzeige/{token}/stand.json"
    anon = Client(port)
    changed = one_by_one(lambda: anon.get(display_path), SAMPLES)
    times, cpu = unchanged(anon, display_path, {})
    log(
        f"frontdesk-http: display poll: changed (200) median {ms(changed):.2f} ms; unchanged"
        f" (304) median {ms(times):.2f} ms, server CPU {1000 * cpu:.2f} ms per poll"
        f" (target < 1 ms), floor /healthz/live {ms(healthz):.2f} ms,"
        f" ratio {ms(times) / ms(healthz):.2f}"
    )

    # One client, one request at a time: each step beside its floor.
    reception = receptions[0]
    checkin_data = {
        "standort": site.pk,
        "q": "",
        "concerns": [concern.pk],
        "priority_reason": "",
        "action": "wait",
    }
    floor_data = {"standort": site.pk, "concerns": concern.pk, "team": ez_team.pk}
    redirect_to = []

    def check_in_real():
        status, response, body = reception.post("/empfang/", checkin_data)
        expect(status, 302, "check-in", body)
        redirect_to.append(response.headers["Location"])

    def check_in_floor():
        status, _r, body = reception.post("/bench-floor/empfang/anmelden/", floor_data)
        expect(status, 302, "check-in floor", body)

    n = 40
    real, floor = side_by_side(check_in_real, check_in_floor, n)
    checkin_ratio = ratio_line("check-in (POST /empfang/), one client", real, floor)
    location = redirect_to[-1]
    real, floor = side_by_side(
        lambda: expect(reception.get(location)[0], 200, "redirect page"),
        lambda: expect(reception.get("/bench-floor/empfang/?neu=1")[0], 200, "floor page"),
        n,
    )
    ratio_line("check-in's redirect page (GET /empfang/?neu=), one client", real, floor)

    finish_action = re.compile(rb'action="/(?:aufruf|bench-floor)/besuch/(\d+)/abschliessen/"')

    def cycle(c, prefix_call, page, prefix_finish, data):
        def step():
            status, _r, body = c.post(prefix_call, {})
            expect(status, 302, "call next", body)
            status, _r, body = c.get(page)
            expect(status, 200, "desk page", body)
            match = finish_action.search(body)
            if match is None:
                raise SystemExit("call next did not call anyone (queue empty?)")
            status, _r, body = c.post(prefix_finish.format(match.group(1).decode()), data)
            expect(status, 302, "finish", body)

        return step

    finish_data = {
        "finish-outcome": "resolved",
        "finish-handled": [concern.pk],
        "finish-note": "",
    }
    real_cycle = cycle(
        client, "/aufruf/naechste/", "/aufruf/", "/aufruf/besuch/{}/abschliessen/", finish_data
    )
    floor_cycle = cycle(
        client,
        "/bench-floor/aufruf/naechste/",
        "/bench-floor/aufruf/",
        "/bench-floor/besuch/{}/abschliessen/",
        {},
    )
    real, floor = side_by_side(real_cycle, floor_cycle, n)
    cycle_ratio = ratio_line(
        "call-up cycle (call next, desk page, finish), one client", real, floor
    )
    log(
        f"frontdesk-http: one-client latency: check-in ratio {checkin_ratio:.2f},"
        f" call-up cycle ratio {cycle_ratio:.2f} (targets 1.5), /healthz/live {ms(healthz):.2f} ms"
    )

    # Several clients at once, beside the same floors at the same concurrency.
    fill_queue(site, users["empfang"][0], concern, WAITING)

    def each(clients, make):
        return [make(c) for c in clients]

    def real_checkin(c):
        return lambda: expect(c.post("/empfang/", checkin_data)[0], 302, "check-in")

    def floor_checkin(c):
        return lambda: expect(c.post("/bench-floor/empfang/anmelden/", floor_data)[0], 302, "floor")

    n_real, t_real, _ = run_parallel(each(receptions, real_checkin))
    n_floor, t_floor, _ = run_parallel(each(receptions, floor_checkin))
    rate, floor_rate = n_real / t_real, n_floor / t_floor
    log(
        f"frontdesk-http: check-ins: {rate:.0f}/s ({CLIENTS} receptions), floor"
        f" {floor_rate:.0f}/s, ratio {floor_rate / rate:.2f}"
    )
    before_done = Visit.objects.filter(standort=site, state=VisitState.DONE).count()
    n_real, t_real, _ = run_parallel(
        [
            cycle(
                c, "/aufruf/naechste/", "/aufruf/", "/aufruf/besuch/{}/abschliessen/", finish_data
            )
            for c in desks
        ]
    )
    done = Visit.objects.filter(standort=site, state=VisitState.DONE).count() - before_done
    fill_queue(site, users["empfang"][0], concern, WAITING)
    n_floor, t_floor, _ = run_parallel(
        [
            cycle(
                c,
                "/bench-floor/aufruf/naechste/",
                "/bench-floor/aufruf/",
                "/bench-floor/besuch/{}/abschliessen/",
                {},
            )
            for c in desks
        ]
    )
    rate, floor_rate = n_real / t_real, n_floor / t_floor
    log(
        f"frontdesk-http: call-ups: {rate:.0f}/s ({CLIENTS} desks; call next, desk page,"
        f" finish), floor {floor_rate:.0f}/s, ratio {floor_rate / rate:.2f}"
    )
    if done != n_real:
        raise SystemExit(f"{n_real} call-ups but {done} visits finished: a customer was lost")
    left = Visit.objects.filter(standort=site, state=VisitState.CALLED).count()
    if left:
        raise SystemExit(f"{left} visits left called after the run")

    counts = count_queries(site, users, concern)
    log(
        "frontdesk-http: queries: "
        + ", ".join(f"{name} {n}" for name, n in counts.items())
        + " (targets: check-in 12, desk page 12, desk list 304 2, display 304 1)"
    )

    hosting_centre(port, roots, site.jobcenter, concern)


# --- the hosting centre ------------------------------------------------------------------------

SIM_SITES = int(os.environ.get("BENCH_FRONTDESK_SIM_SITES", 10))
SIM_SECONDS = float(os.environ.get("BENCH_FRONTDESK_SIM_SECONDS", 30))
SIM_DESKS, SIM_DISPLAYS = 10, 3  # per site: 100 x 10 desks and 300 displays at full size
FULL_SITES = 100
DESK_POLL, DISPLAY_POLL = 5.0, 3.0  # the intervals of desk.html and display.html
# How often the queue of a busy site changes: a visit a minute (check-in, call, finish).
CHANGE_EVERY = 20.0


def hosting_centre(port: int, roots: list[int], jobcenter, concern) -> None:
    import random

    from frontdesk.services.calling import visit_call_next
    from frontdesk.services.displays import display_create

    sites = []
    for n in range(SIM_SITES):
        standort = Standort.objects.create(jobcenter=jobcenter, name=f"Sim-Standort {n + 1}")
        team = Team.objects.get(jobcenter=jobcenter, kind="eingangszone")
        people, tokens = [], []
        for d in range(SIM_DESKS):
            user = User(
                username=f"{PREFIX}-sim{n}-{d}",
                role=Role.EINGANGSZONE,
                jobcenter=jobcenter,
                first_name="sim",
            )
            user.set_password(PASSWORD)
            user.save()
            desk = Desk.objects.create(
                standort=standort,
                name=f"Sim {d + 1}",
                position=d,
                occupied_by=user,
                opened_at=timezone.now(),
                last_seen_at=timezone.now(),
            )
            desk.teams.set([team])
            people.append(user)
        for d in range(SIM_DISPLAYS):
            tokens.append(display_create(standort=standort, name=f"Sim-Anzeige {d + 1}")[1])
        reception = User.objects.filter(username=f"{PREFIX}-empfang0").get()
        fill_queue(standort, reception, concern, 30)
        sites.append((standort, people, tokens, reception))

    stop = threading.Event()
    stats = {"200": 0, "304": 0, "other": 0}
    lock = threading.Lock()

    answered = threading.Semaphore(0)

    def poller(path, headers, interval, c):
        tag = None
        first = True
        time.sleep(random.uniform(0, interval))
        while not stop.is_set():
            t = time.perf_counter()
            head = dict(headers)
            if tag:
                head["If-None-Match"] = tag
            status, response, _body = c.get(path, headers=head)
            key = str(status) if status in (200, 304) else "other"
            if status == 200:
                tag = response.headers.get("ETag")
            with lock:
                stats[key] += 1
            if first:
                answered.release()
                first = False
            stop.wait(max(0.0, interval - (time.perf_counter() - t)))

    def writer():
        # Changes each site's queue every CHANGE_EVERY seconds: a check-in, or a call-up
        # and its finish. In this process, through the services: their Python CPU is not
        # the server's, their PostgreSQL CPU is counted.
        from frontdesk.services.outcomes import visit_finish

        i = 0
        while not stop.is_set():
            standort, people, _tokens, reception = sites[i % len(sites)]
            if (i // len(sites)) % 2 == 0:
                fill_queue(standort, reception, concern, 31)
            else:
                user = people[(i // len(sites)) % len(people)]
                visit = visit_call_next(actor=user, desk_id=user.desk.pk)
                visit_finish(
                    actor=user,
                    desk_id=user.desk.pk,
                    visit_id=visit.pk,
                    outcome="resolved",
                    handled=[vc.concern_id for vc in visit.visit_concerns.all()],
                    extra=[],
                    note="",
                )
            i += 1
            stop.wait(CHANGE_EVERY / len(sites))

    threads = []
    for _standort, people, tokens, _reception in sites:
        for user in people:
            threads.append(
                threading.Thread(
                    target=poller,
                    args=(
                        "/aufruf/liste/",
                        {"HX-Request": "true", "X-Poll": "1"},
                        DESK_POLL,
                        Client(port).login(user.username),  # signed in before the run
                    ),
                )
            )
        for token in tokens:
            threads.append(
                threading.Thread(
                    target=poller,
                    args=(f"/anzeige/{token}/stand.json", {}, DISPLAY_POLL, Client(port)),
                )
            )
    threads.append(threading.Thread(target=writer))
    for thread in threads:
        thread.start()
    for _ in range(len(threads) - 1):  # every poller has had its first (full) answer
        answered.acquire(timeout=60)
    with lock:
        for key in stats:
            stats[key] = 0
    cpu, began = server_cpu(roots), time.perf_counter()
    time.sleep(SIM_SECONDS)
    used, elapsed = server_cpu(roots) - cpu, time.perf_counter() - began
    with lock:
        counted = dict(stats)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    polls = sum(counted.values())
    per_second = used / elapsed
    full = per_second * FULL_SITES / SIM_SITES
    log(
        f"frontdesk-http: hosting centre, {SIM_SITES} of {FULL_SITES} sites"
        f" ({SIM_SITES * SIM_DESKS} desks every {DESK_POLL:.0f} s, {SIM_SITES * SIM_DISPLAYS}"
        f" displays every {DISPLAY_POLL:.0f} s, each queue changing every"
        f" {CHANGE_EVERY:.0f} s) for {elapsed:.0f} s: {polls / elapsed:.0f} polls/s,"
        f" {counted['304']} of {polls} answered 304 ({counted['other']} errors),"
        f" {per_second:.3f} CPU-s/s measured; x{FULL_SITES // SIM_SITES}:"
        f" {full:.2f} CPU-s per second of polling (target 1.5)"
    )
    if counted["other"]:
        raise SystemExit(f"{counted['other']} polls failed in the hosting-centre run")


if __name__ == "__main__":
    main()
