"""The production stack starts and scales out, proved on loopback without a Docker engine.

One stack for the module, started with docker-compose.yml's commands and production
settings (tests/deploy/stack.py): Debian's nginx with TLS in front of two gunicorn
instances, two Celery workers and two RedBeat beats, against the test session's PostgreSQL
and Redis. The tests run in file order: the proxy first, then a bounded load of check-ins,
call-ups and scans (mails at any hour, so "no mail twice" holds whenever the suite runs),
then a worker killed mid-task, then the active beat killed and the standby taking over.
"""

import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from frontdesk.models import Concern, Desk, Visit, VisitEvent, VisitState
from frontdesk.services.checkin import CheckIn, visit_check_in
from jobcenter.models import Jobcenter, Postfach, Standort, Team, User
from jobcenter.roles import Role
from jobcenter.seeding import seed_new_jobcenter
from minimumstandards.models import Deadline, DeadlineAlert
from minimumstandards.presets import apply_preset
from tests.factories import person, register

from .stack import ROOT, Client, Stack, compose, compose_command, database_url, free_port, redis_url

PASSWORD = "Stack-Test-2026-geheim"
DESKS = 3
CHECK_INS_PER_RECEPTION = 8
CASES = 4


# Each test reads inside its own transaction (the mark), which sees what the stack's
# processes commit; everything the stack needs is written and committed by the module's
# fixture, which also empties the database at the end. (A transactional mark would empty
# it after the first test.)
pytestmark = pytest.mark.django_db


def _seed():
    jobcenter = Jobcenter.objects.create(
        name="Jobcenter Stapel", slug="stapel", bundesland="NW", dienststelle="96300",
        kundennummer_prefix="963Z",
    )  # fmt: skip
    seed_new_jobcenter(jobcenter)
    apply_preset(jobcenter=jobcenter, name="demo")
    site = Standort.objects.create(jobcenter=jobcenter, name="Hauptstelle")
    ez = Team.objects.create(jobcenter=jobcenter, name="Eingangszone", kind="eingangszone")
    leistung = Team.objects.create(jobcenter=jobcenter, name="Leistung", kind="leistung")
    for team in (ez, leistung):
        Postfach.objects.create(team=team, name=f"Postfach {team.name}")
    users = {"empfang": [], "ez": []}
    # Hashed as production hashes (the test settings use a fast hasher production refuses).
    hashed = PBKDF2PasswordHasher().encode(PASSWORD, "stacksalt")
    for n in range(DESKS):
        for role, key in ((Role.EMPFANG, "empfang"), (Role.EINGANGSZONE, "ez")):
            user = User.objects.create(
                username=f"stack-{key}{n}", role=role, jobcenter=jobcenter, password=hashed
            )
            if key == "ez":
                user.teams.set([ez])
            users[key].append(user)
        desk = Desk.objects.create(standort=site, name=f"Schalter {n + 1}", position=n)
        desk.teams.set([ez])
    # Cases received a week ago: their deadlines are due, the scans must flag each once.
    week_ago = timezone.now() - timedelta(days=7)
    for n, first in enumerate(["Anna", "Berta", "Carla", "Dora"][:CASES]):
        register(
            actor=users["ez"][0], leistung_team=leistung,
            persons=[person(first=first, born=date(1980 + n, 1, 15), is_head=True)],
            application_date=timezone.localdate(week_ago), received_at=week_ago,
        )  # fmt: skip
    concern = Concern.objects.get(jobcenter=jobcenter, code="sachstand")
    # A visit left open from yesterday: the night's close-day task cancels it.
    left_open = visit_check_in(
        actor=users["empfang"][0], data=CheckIn(standort=site, concerns=[concern]),
        now=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    Postfach.objects.filter(team__jobcenter=jobcenter).update(email="team@jobcenter.invalid")
    return site, users, concern, left_open


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker):
    if not os.environ.get("TEST_REDIS_URL"):
        pytest.fail("TEST_REDIS_URL is not set: run the suite with `make test`.")
    with django_db_blocker.unblock():
        seeded = _seed()
        name = connection.settings_dict["NAME"]
    base_redis = os.environ["TEST_REDIS_URL"]
    tmp = Path(tempfile.mkdtemp(prefix="jobcenter-stack-"))
    os.chmod(tmp, 0o755)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "CELERY"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="jobcenter.settings.production",
        SECRET_KEY="stack-test-" + "x" * 50,
        ALLOWED_HOSTS="localhost",
        DATABASE_URL=database_url(os.environ["DATABASE_URL"], name),
        CELERY_BROKER_URL=redis_url(base_redis, 3),
        CACHE_URL=redis_url(base_redis, 4),
        TRUSTED_PROXY_COUNT="1",
        STATIC_ROOT=str(tmp / "static"),
        WEB_CONCURRENCY="2",
        # Fast clocks for a bounded test: a scan every 2 s, a beat that ticks every second
        # and whose lock lasts 5 s, a lost task redelivered after 5 s.
        DEADLINE_SCAN_INTERVAL="2",
        BEAT_MAX_INTERVAL="1",
        REDBEAT_LOCK_TIMEOUT="5",
        CELERY_VISIBILITY_TIMEOUT="5",
        CELERY_RESTORE_INTERVAL="1",
        DEADLINE_ALERT_EMAIL="true",
        DEADLINE_ALERT_EMAIL_HOURS="always",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp / "mail"),
        PYTHONUNBUFFERED="1",
    )
    s = Stack(tmp=tmp, env=env)
    # Not the current app: the suite's own tasks (eager, in-process) must stay with theirs.
    broker = Celery(broker=env["CELERY_BROKER_URL"], set_as_current=False)
    try:
        s.run(compose_command("migrate"))  # the one-shot migration service
        # What the Dockerfile does at build time.
        s.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"])
        web_ports = s.web_ports = [free_port(), free_port()]
        for i, port in enumerate(web_ports):
            s.start(f"web{i}", compose_command("web"), {"GUNICORN_BIND": f"127.0.0.1:{port}"})
        for i in range(2):
            s.start(f"worker{i}", [*compose_command("worker"), "-n", f"w{i}@%h"])
        s.start_proxy(web_ports)
        s.wait_for(
            "gunicorn behind nginx",
            lambda: all(Client(s).get("/healthz/live")[0].status == 200 for _ in web_ports),
        )
        s.wait_for("two workers", lambda: len(broker.control.ping(timeout=0.5)) == 2)
        for i in range(2):
            s.start(f"beat{i}", compose_command("beat"))
        s.broker = broker
        s.seeded = seeded
        yield s
    finally:
        s.stop_all()
        broker.close()
        import redis

        for db in (3, 4):
            redis.Redis.from_url(redis_url(base_redis, db)).flushdb()
        with django_db_blocker.unblock():
            call_command("flush", "--no-input", verbosity=0)
        shutil.rmtree(tmp, ignore_errors=True)


# --- the proxy ---------------------------------------------------------------------------------


def test_https_answers_with_hsts_and_no_server_version(stack):
    response, body = Client(stack).get("/anmelden/")
    assert response.status == 200
    assert "Anmelden" in body.decode()
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["Server"] == "nginx"


def test_plain_http_is_sent_to_https(stack):
    response, _ = Client(stack, tls=False).get("/kunden/?q=x")
    assert response.status == 301
    assert response.headers["Location"] == f"https://localhost:{stack.https_port}/kunden/?q=x"


def test_a_vendored_static_file_is_served_with_far_future_caching(stack):
    _, page = Client(stack).get("/anmelden/")
    paths = re.findall(r'(?:href|src)="(/static/vendor/[^"]+\.(?:css|js))"', page.decode())
    assert paths, "the login page links no vendored file"
    response, body = Client(stack).get(paths[0])
    assert response.status == 200
    # The hashed name of the manifest: the same bytes forever, cached for ten years.
    assert re.search(r"\.[0-9a-f]{12}\.(css|js)$", paths[0])
    assert response.headers["Cache-Control"] == "max-age=315360000, public, immutable"
    source = re.sub(r"\.[0-9a-f]{12}\.", ".", paths[0].removeprefix("/static/"))
    assert len(body) > 1000
    if source.endswith(".js"):
        assert body == (ROOT / "static" / source).read_bytes()


def test_health_through_the_proxy_checks_everything(stack):
    def healthy():
        response, body = Client(stack).get("/healthz", headers={"Accept": "text/plain"})
        stack.last_health = body.decode()
        return response.status == 200

    stack.wait_for("a healthy system (first scan)", healthy, seconds=30)
    assert sorted(line.split(":")[0] for line in stack.last_health.splitlines()) == [
        "Broker",
        "Cache(alias='default')",
        "CeleryWorker",
        "Database(alias='default')",
        "DeadlineScan",
    ]
    assert stack.last_health.count(": OK") == 5


def test_the_web_containers_probe_passes_against_gunicorn(stack):
    """docker-compose.yml's health check of web, run as the container runs it."""
    argv = compose()["services"]["web"]["healthcheck"]["test"][1:]
    argv[0] = sys.executable
    result = subprocess.run(
        argv, cwd=ROOT, capture_output=True, text=True,
        env={**stack.env, "GUNICORN_BIND": f"0.0.0.0:{stack.web_ports[0]}"},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == ["/healthz/live: 200", "ok"]


# --- more than one machine -----------------------------------------------------------------------

FINISH = re.compile(rb'action="/aufruf/besuch/(\d+)/abschliessen/"')


def _in_threads(*jobs):
    errors = []

    def guard(job):
        try:
            job()
        except BaseException as error:  # reported in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=guard, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "the load did not finish in time"
    if errors:
        raise errors[0]


def test_two_of_everything_under_load_lose_nothing_and_do_nothing_twice(stack):
    site, users, concern, _ = stack.seeded
    jobcenter = site.jobcenter
    receptions = [Client(stack).login(u.username, PASSWORD) for u in users["empfang"]]
    desks = []
    for n, user in enumerate(users["ez"]):
        client = Client(stack).login(user.username, PASSWORD)
        desk = Desk.objects.get(standort=site, name=f"Schalter {n + 1}")
        response, body = client.post("/aufruf/oeffnen/", {"desk": desk.pk})
        assert response.status == 302, body[:300]
        desks.append(client)
    check_in = {
        "standort": site.pk, "q": "", "concerns": [concern.pk], "priority_reason": "",
        "action": "wait",
    }  # fmt: skip
    receptions_done = threading.Event()
    called: list[list[int]] = [[] for _ in desks]

    def reception(client):
        def run():
            for _ in range(CHECK_INS_PER_RECEPTION):
                response, body = client.post("/empfang/", check_in)
                assert response.status == 302, body[:300]

        return run

    def all_receptions():
        _in_threads(*(reception(c) for c in receptions))
        receptions_done.set()

    def desk(client, out):
        def run():
            give_up = time.monotonic() + 80
            while time.monotonic() < give_up:
                done = receptions_done.is_set()
                response, _ = client.post("/aufruf/naechste/", {})
                assert response.status < 400
                response, page = client.get("/aufruf/")
                match = FINISH.search(page)
                if match is None:
                    if done:
                        return
                    time.sleep(0.05)
                    continue
                out.append(int(match.group(1)))
                response, body = client.post(
                    f"/aufruf/besuch/{match.group(1).decode()}/abschliessen/",
                    {
                        "finish-outcome": "resolved",
                        "finish-handled": [concern.pk],
                        "finish-note": "",
                    },
                )
                assert response.status == 302, body[:300]

        return run

    def scans():
        # Besides the beat's own every 2 s: scans sent at once to both workers.
        for _ in range(8):
            stack.broker.send_task("minimumstandards.tasks.scan_deadlines")
            time.sleep(0.25)

    _in_threads(
        all_receptions, scans, *(desk(c, out) for c, out in zip(desks, called, strict=True))
    )

    total = DESKS * CHECK_INS_PER_RECEPTION
    visits = Visit.objects.filter(standort=site, day=timezone.localdate())
    assert visits.count() == total  # no check-in lost
    assert visits.filter(state=VisitState.DONE).count() == total  # everybody served
    every_call = [pk for out in called for pk in out]
    assert len(every_call) == total
    assert len(set(every_call)) == total  # no customer called at two desks
    calls = VisitEvent.objects.filter(visit__in=visits, action=VisitEvent.Action.CALL)
    assert calls.count() == total  # and none called twice
    # The proxy spread the load over both gunicorn instances.
    upstreams = set(re.findall(r" 127\.0\.0\.1:(\d+)$", stack.log("nginx"), re.M))
    assert upstreams == {str(p) for p in stack.web_ports}

    time.sleep(3)  # one more beat scan after the last one sent
    deadlines = Deadline.objects.filter(jobcenter=jobcenter, status=Deadline.Status.OPEN)
    breached = deadlines.flagged(Deadline.Level.BREACH)
    assert breached.exists()
    # Every due deadline flagged (none lost) and each alert raised once.
    due = deadlines.filter(due_at__lte=timezone.now())
    assert not due.exclude(pk__in=breached.values("pk")).exists()
    alerts = DeadlineAlert.objects.filter(deadline__jobcenter=jobcenter, level="breach")
    assert alerts.count() == breached.count()
    # The stack mails at any hour (DEADLINE_ALERT_EMAIL_HOURS=always), so this holds at
    # 03:00 as at 10:00: every alert mailed, each exactly once, though both workers scanned.
    mails = Path(stack.env["EMAIL_FILE_PATH"])
    lines = [
        line
        for mail in (mails.glob("*.log") if mails.exists() else [])
        for line in mail.read_text().splitlines()
        if line.startswith("- ")
    ]
    assert alerts.count() > 0
    assert not alerts.filter(emailed_at__isnull=True).exists()
    assert len(lines) == alerts.count()
    # RedBeat: of the two beats exactly one ever became the active one.
    assert [("beat: Acquired lock" in stack.log(f"beat{i}")) for i in range(2)].count(True) == 1


def test_a_worker_killed_mid_task_loses_nothing(stack):
    import psycopg

    left_open = stack.seeded[3]
    # Hold the visit's row: the close-day task blocks on it in the middle of its transaction.
    with psycopg.connect(stack.env["DATABASE_URL"]) as holder:
        holder.execute("SELECT id FROM frontdesk_visit WHERE id = %s FOR UPDATE", [left_open.pk])
        stack.broker.send_task("frontdesk.tasks.close_day")
        running = {}

        def taken():
            active = stack.broker.control.inspect(timeout=0.5).active() or {}
            running.update(
                {
                    w: t
                    for w, tasks in active.items()
                    for t in tasks
                    if t["name"].endswith("close_day")
                }
            )
            return bool(running)

        stack.wait_for("a worker running close_day", taken, seconds=15)
        [(node, _task)] = running.items()
        victim = f"worker{node.split('@')[0].removeprefix('w')}"
        stack.kill(victim)
        holder.rollback()

    def closed():
        left_open.refresh_from_db()
        return left_open.state == VisitState.CANCELLED

    # acks late: the message was never acknowledged and comes back to the other worker.
    stack.wait_for("the other worker to run close_day again", closed, seconds=45)
    cancels = VisitEvent.objects.filter(visit=left_open, action=VisitEvent.Action.CANCEL)
    assert cancels.count() == 1


# --- the active beat killed -----------------------------------------------------------------

SENT = re.compile(
    r"^\[?(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}).*Sending due task scan-deadlines", re.M
)


def _sends(stack, name) -> list[datetime]:
    return [datetime.strptime(t, "%Y-%m-%d %H:%M:%S,%f") for t in SENT.findall(stack.log(name))]


def _last_scan(stack):
    """The scan's heartbeat as the web reads it (Django's Redis cache pickles the value)."""
    import pickle

    import redis

    client = redis.Redis.from_url(stack.env["CACHE_URL"])
    keys = client.keys("*minimumstandards:last-scan-at")
    return pickle.loads(client.get(keys[0])) if keys else None


def test_the_standby_beat_takes_over_when_the_active_one_is_killed(stack):
    import redis

    lock_timeout = int(stack.env["REDBEAT_LOCK_TIMEOUT"])  # 5 s here, 60 s in production
    tick = int(stack.env["BEAT_MAX_INTERVAL"])
    [active] = [n for n in ("beat0", "beat1") if "beat: Acquired lock" in stack.log(n)]
    [standby] = [n for n in ("beat0", "beat1") if n != active]
    assert _sends(stack, active), "the active beat sent no scan"
    assert _sends(stack, standby) == []  # a standby beat plans nothing
    lock = redis.Redis.from_url(stack.env["CELERY_BROKER_URL"])
    assert 0 < lock.pttl("redbeat::lock") <= lock_timeout * 1000
    before_kill = _last_scan(stack)
    assert before_kill is not None

    stack.kill(active)  # SIGKILL: the lock is not released, it has to expire
    killed_at = datetime.now()
    # The lock expires at most lock_timeout after its last extension; the standby polls for
    # it every tick. Slack for a loaded machine on top.
    stack.wait_for(
        "the standby beat to take the lock",
        lambda: "beat: Acquired lock" in stack.log(standby),
        seconds=lock_timeout + tick + 10,
    )
    stack.wait_for("a scan sent by the new beat", lambda: bool(_sends(stack, standby)), 15)
    # ... and run by a worker: the scan's heartbeat moves on.
    stack.wait_for(
        "a scan after the take-over", lambda: _last_scan(stack) > before_kill, seconds=15
    )
    assert _sends(stack, standby)[0] > killed_at - timedelta(seconds=1)
    # One send per schedule tick over both beats: the scan is due every 2 s, so two sends
    # less than a second apart would be one tick sent twice.
    every = sorted(_sends(stack, active) + _sends(stack, standby))
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(every)]
    assert min(gaps) >= 1.0, gaps
