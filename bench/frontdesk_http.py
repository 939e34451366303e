"""Benchmark: the front desk through the real HTTP stack (gunicorn, PostgreSQL).

Run by `make bench` (scripts/bench.sh) against its throwaway, migrated PostgreSQL. Seeds a
site with desks and staff, starts gunicorn on a free port, and measures in the same run:

- the floor: a bare Django view (/healthz/live), no session, no database;
- the desk list's server time with 500 customers waiting (GET /aufruf/liste/ as htmx polls
  it, and the whole desk page), one client, median and 95th percentile;
- check-ins per second: POST /empfang/ from logged-in reception sessions, with CSRF;
- call-ups per second: POST /aufruf/naechste/, the desk page it leads to, and the POST that
  finishes the visit, from logged-in desks (each call-up is these three requests).

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
    deadline = time.monotonic() + 30
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
            measure(port, site, users, concern)
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    log(f"frontdesk-http: total {time.perf_counter() - started:.1f} s")


def measure(port: int, site, users, concern) -> None:
    receptions = [Client(port).login(u.username) for u in users["empfang"]]
    desks = [Client(port).login(u.username) for u in users["ez"]]
    for index, client in enumerate(desks):
        desk = Desk.objects.get(standort=site, name=f"Schalter {index + 1}")
        status, _r, body = client.post("/aufruf/oeffnen/", {"desk": desk.pk})
        expect(status, 302, "open desk", body)

    # The desk list with 500 waiting, as one desk sees it.
    waiting = fill_queue(site, users["empfang"][0], concern, WAITING)
    client = desks[0]
    for path, headers, label in (
        ("/aufruf/liste/", {"HX-Request": "true"}, "desk list (htmx, 50 of them shown)"),
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

    # The floor: a bare Django view in the same server.
    bare = [Client(port) for _ in range(CLIENTS)]

    def healthz(c):
        def step():
            status, _r, body = c.get("/healthz/live")
            expect(status, 200, "/healthz/live", body)

        return step

    n, elapsed, times = run_parallel([healthz(c) for c in bare])
    floor = n / elapsed
    log(
        f"frontdesk-http: bare view /healthz/live: {floor:.0f} req/s"
        f" ({CLIENTS} clients, median {ms(times):.1f} ms)"
    )

    def check_in(c):
        data = {
            "standort": site.pk,
            "q": "",
            "concerns": [concern.pk],
            "priority_reason": "",
            "action": "wait",
        }

        def step():
            status, _r, body = c.post("/empfang/", data)
            expect(status, 302, "check-in", body)

        return step

    n, elapsed, times = run_parallel([check_in(c) for c in receptions])
    rate = n / elapsed
    log(
        f"frontdesk-http: check-ins: {rate:.0f}/s ({CLIENTS} receptions, POST with session and"
        f" CSRF, median {ms(times):.1f} ms), {rate / floor:.3f} of the bare view"
    )

    finish_action = re.compile(rb'action="/aufruf/besuch/(\d+)/abschliessen/"')

    def call_up(c):
        def step():
            status, _r, body = c.post("/aufruf/naechste/", {})
            expect(status, 302, "call next", body)
            status, _r, body = c.get("/aufruf/")
            expect(status, 200, "desk page", body)
            match = finish_action.search(body)
            if match is None:
                raise SystemExit("call next did not call anyone (queue empty?)")
            status, _r, body = c.post(
                f"/aufruf/besuch/{match.group(1).decode()}/abschliessen/",
                {"finish-outcome": "resolved", "finish-handled": [concern.pk], "finish-note": ""},
            )
            expect(status, 302, "finish", body)

        return step

    n, elapsed, times = run_parallel([call_up(c) for c in desks])
    rate = n / elapsed
    log(
        f"frontdesk-http: call-ups: {rate:.0f}/s ({CLIENTS} desks; call next, desk page,"
        f" finish: median {ms(times):.1f} ms for the three), {rate / floor:.3f} of the bare view"
    )
    called = Visit.objects.filter(standort=site, state=VisitState.DONE).count()
    if called != n:
        raise SystemExit(f"{n} call-ups but {called} visits finished: a customer was lost")
    duplicates = Visit.objects.filter(standort=site, state=VisitState.CALLED).values("desk").count()
    if duplicates:
        raise SystemExit(f"{duplicates} visits left called after the run")


if __name__ == "__main__":
    main()
