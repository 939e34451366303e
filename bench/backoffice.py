"""Benchmark: the back office's list pages on a large Jobcenter, beside a floor.

Seeds the large Jobcenter of bench/deadline_scan.py (its own seed functions: 100,000
customers, 250,000 cases, over 1,000,000 open deadlines; BENCH_KUNDEN=20000 for a quick
round, the cases scale with it), adds on top what the pages show (one user per role with
teams, mailbox items), and then, for every page of the registry, in-process through
django.test.Client (the whole middleware stack, persistent connection as in production):

- the median server time over BENCH_PAGE_RUNS runs after one warm-up,
- the number of queries and the slowest statement (CaptureQueriesContext),
- EXPLAIN of every SELECT of the page: a `Seq Scan on` the deadlines, customers or cases
  fails the bench, as does a page over 50 ms or a statement over 10 ms.

The floor is a minimal logged-in view on the same stack (bench/floor_urls.py), measured in
the same run; each line says `backoffice: <page> <ms> ms, <n> queries, slowest <ms> ms,
floor <ms> ms, ratio <r>`. The seed is removed again afterwards: bench/deadline_scan.py
runs next against tables without deadlines. BENCH_EXPLAIN=1 prints every plan;
BENCH_KEEP=1 keeps the seed, BENCH_REUSE=1 measures a kept one, BENCH_PAGES=faelle only
the pages whose name contains it.

The seed is scanned once (`minimumstandards.services.scan`), so the deadlines the scan
flags have their alerts: the badge "Fristen gefährdet" and the list it opens count them.
After the pages, the badge alone (the context processor every full page of a team lead,
Leistung and IFK runs, for a user loaded fresh): `backoffice: badge <role> <ms> ms,
<n> queries`, failing over 2 ms or when it disagrees with the list "gemeldet".

The registry: every module bench/pages_*.py exports
`PAGES: list[tuple[str, str, str]]` = (page name, URL path with query, role), role one of
"teamleitung", "leistung", "ifk", "ez", "empfang". A URL may name `{postfach}` (the
role user's team mailbox), `{kunde}` or `{antrag}` (one of the user's customers / cases).
"""

import importlib.util
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jobcenter.settings.test")
# The cases scale with the customers (deadline_scan's default: 2.5 per customer).
os.environ.setdefault("BENCH_ANTRAEGE", str(int(os.environ.get("BENCH_KUNDEN", 100_000)) * 5 // 2))

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from intake.models import Antrag, Bedarfsgemeinschaft, Kunde  # noqa: E402
from jobcenter.models import AuditEvent, Jobcenter, Postfach, Team, User  # noqa: E402
from jobcenter.paging import COUNT_CAP  # noqa: E402
from jobcenter.roles import Role  # noqa: E402
from minimumstandards import services as deadline_services  # noqa: E402
from minimumstandards.context_processors import deadline_badge  # noqa: E402
from minimumstandards.listing import deadline_page  # noqa: E402
from minimumstandards.models import Deadline, DeadlineAlert, ScanWatermark  # noqa: E402
from minimumstandards.selectors import ListFilter  # noqa: E402
from routing.models import Aufgabe  # noqa: E402

PAGE_MS = 50.0
STATEMENT_MS = 10.0
BADGE_MS = 2.0
BADGE_ROLES = ("teamleitung", "leistung", "ifk")
RUNS = int(os.environ.get("BENCH_PAGE_RUNS", 5))
ROLES = ("teamleitung", "leistung", "ifk", "ez", "empfang")
WATCHED = ("minimumstandards_deadline", "intake_kunde", "intake_antrag")
SEQ_SCAN = re.compile(r"Seq Scan on (" + "|".join(WATCHED) + r")\b")
# Items per mailbox: open ones and done ones (the "erledigt" view).
MAILBOX_OPEN = int(os.environ.get("BENCH_MAILBOX_OPEN", 300))
MAILBOX_DONE = int(os.environ.get("BENCH_MAILBOX_DONE", 8000))


def log(message: str) -> None:
    print(message, flush=True)


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ds = load(BENCH / "deadline_scan.py")


def registry() -> list[tuple[str, str, str]]:
    pages = []
    for path in sorted(BENCH.glob("pages_*.py")):
        for name, url, role in load(path).PAGES:
            if role not in ROLES:
                raise SystemExit(f"{path.name}: {name}: unknown role {role!r}")
            pages.append((name, url, role))
    only = os.environ.get("BENCH_PAGES")  # a quick round: pages whose name has this in it
    if not only:
        return pages
    wanted = only.split(",")  # several names: BENCH_PAGES=ifk,Fristen
    return [p for p in pages if any(w in p[0] for w in wanted)]


# --- seed ---------------------------------------------------------------------------------


def seed_users(jobcenter, leistung_team_ids, ifk_ids, ez_user) -> dict[str, User]:
    """One user per role, in teams such that their pages show the seeded data."""
    team1 = Team.objects.get(pk=leistung_team_ids[0])
    leistung = User.objects.create(
        username="bench-leistung", password="!", role=Role.LEISTUNG, jobcenter=jobcenter
    )
    leistung.teams.add(team1)
    lead = User.objects.create(
        username="bench-teamleitung", password="!", role=Role.TEAMLEITUNG, jobcenter=jobcenter
    )
    lead.teams.add(team1)
    Team.objects.filter(pk__in=leistung_team_ids).update(lead=lead)
    empfang_team = Team.objects.create(
        jobcenter=jobcenter, name="Empfang", kind=Team.Kind.EMPFANG, standort=team1.standort
    )
    empfang = User.objects.create(
        username="bench-empfang", password="!", role=Role.EMPFANG, jobcenter=jobcenter
    )
    empfang.teams.add(empfang_team)
    return {
        "teamleitung": lead,
        "leistung": leistung,
        "ifk": User.objects.get(pk=ifk_ids[0]),
        "ez": ez_user,
        "empfang": empfang,
    }


def seed_mailboxes(jobcenter, users) -> None:
    """Open and done items in every team mailbox, some with a person, over 60 days."""
    k_table = Kunde._meta.db_table
    postfaecher = list(Postfach.objects.filter(team__jobcenter=jobcenter).values_list("pk"))
    for (postfach_id,) in postfaecher:
        for status, n in (("open", MAILBOX_OPEN), ("done", MAILBOX_DONE)):
            ds.insert_select(
                Aufgabe,
                {
                    "postfach_id": "%(pf)s",
                    "kunde_id": "k.id",
                    "title": "'Vermerk (Benchmark) ' || g",
                    "status": "%(status)s",
                    "created_by_id": "%(by)s",
                    "created_at": "%(now)s - (random() * 60) * interval '1 day'",
                    "kind": "(ARRAY['task','note','ticket'])[1 + mod(g, 3)]",
                    "urgent": "mod(g, 17) = 0",
                    "due_at": "CASE WHEN mod(g, 5) = 0 THEN %(now)s"
                    " + (random() * 20 - 5) * interval '1 day' END",
                },
                f"generate_series(1, %(n)s) AS g JOIN {k_table} k"
                f" ON k.jobcenter_id = %(jc)s AND k.kundennummer ="
                f" '962D' || lpad((1 + mod(g * 37 + %(pf)s, %(nk)s))::text, 6, '0')",
                {
                    "pf": postfach_id,
                    "status": status,
                    "n": n,
                    "by": users["ez"].pk,
                    "jc": jobcenter.pk,
                    "nk": ds.N_KUNDEN,
                },
            )
    # Personal items: for the Leistung user and the IFK.
    for role in ("leistung", "ifk"):
        ds.insert_select(
            Aufgabe,
            {
                "assignee_id": "%(who)s",
                "kunde_id": "k.id",
                "title": "'Aufgabe (Benchmark) ' || g",
                "status": "'open'",
                "created_by_id": "%(by)s",
                "created_at": "%(now)s - (random() * 30) * interval '1 day'",
            },
            f"generate_series(1, 40) AS g JOIN {k_table} k ON k.jobcenter_id = %(jc)s"
            f" AND k.kundennummer = '962D' || lpad((g * 101)::text, 6, '0')",
            {"who": users[role].pk, "by": users["ez"].pk, "jc": jobcenter.pk},
        )


def seed():
    log(f"Seeding the large Jobcenter ({ds.N_KUNDEN:,} customers, {ds.N_ANTRAEGE:,} cases) …")
    started = time.perf_counter()
    with transaction.atomic():
        jobcenter, leistung_team_ids, ifk_ids, ez_user = ds.seed_small()
        ds.seed_bulk(jobcenter, leistung_team_ids, ifk_ids, ez_user)
        users = seed_users(jobcenter, leistung_team_ids, ifk_ids, ez_user)
        seed_mailboxes(jobcenter, users)
    flag_seed()
    ds.execute("VACUUM (ANALYZE)")
    log(f"  seeded in {time.perf_counter() - started:.1f} s")
    return jobcenter, users


def flag_seed() -> None:
    """The deadline scan's first run over the seed: the alerts of what is at risk or due."""
    t = time.perf_counter()
    counts = deadline_services.scan()
    log(f"  scanned: {counts} alerts in {time.perf_counter() - t:.1f} s")


def existing():
    """BENCH_REUSE=1: measure the seed a previous BENCH_KEEP=1 run left."""
    jobcenter = Jobcenter.objects.filter(slug="bench-benchstadt").first()
    if jobcenter is None:
        return None
    if not DeadlineAlert.objects.exists():  # kept before the bench scanned its seed
        flag_seed()
        ds.execute(f"VACUUM (ANALYZE) {DeadlineAlert._meta.db_table}")
    users = {
        "teamleitung": User.objects.get(username="bench-teamleitung"),
        "leistung": User.objects.get(username="bench-leistung"),
        "ifk": User.objects.get(username="bench-ifk01"),
        "ez": User.objects.get(username="bench-ez"),
        "empfang": User.objects.get(username="bench-empfang"),
    }
    return jobcenter, users


def cleanup(jobcenter) -> None:
    """Remove the seed: the deadline scan's bench seeds its own into tables without deadlines."""
    t = time.perf_counter()
    tables = [
        m._meta.db_table
        for m in (DeadlineAlert, Deadline, Aufgabe, Antrag, Kunde, Bedarfsgemeinschaft)
    ]
    ds.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    with transaction.atomic():
        users = User.objects.filter(jobcenter=jobcenter)
        User.teams.through.objects.filter(user__in=users).delete()
        Team.objects.filter(jobcenter=jobcenter).update(lead=None)
        # The pages' read audit entries and the users protect the Jobcenter: removed first.
        AuditEvent.objects.filter(Q(jobcenter=jobcenter) | Q(actor__in=users)).delete()
        users.delete()
        Team.objects.filter(jobcenter=jobcenter).delete()  # they protect their Standort
        jobcenter.delete()
        ScanWatermark.objects.filter(pk=1).update(scanned_to=None)  # as before the seed
    ds.execute("VACUUM (ANALYZE)")
    log(f"  seed removed in {time.perf_counter() - t:.1f} s")


# --- measure ------------------------------------------------------------------------------


def placeholders(user) -> dict[str, int]:
    team = user.teams.order_by("pk").first()
    postfach = Postfach.objects.filter(team=team).first() if team else None
    kunde = Kunde.objects.filter(jobcenter=user.jobcenter).order_by("pk").first()
    antrag = Antrag.objects.filter(jobcenter=user.jobcenter).order_by("pk").first()
    return {
        "postfach": postfach.pk if postfach else 0,
        "kunde": kunde.pk if kunde else 0,
        "antrag": antrag.pk if antrag else 0,
    }


SLOWEST: dict[str, str] = {}  # url -> its slowest statement, named when a page fails


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return [line for (line,) in cursor.fetchall()]


def timed_get(client: Client, url: str):
    t = time.perf_counter()
    response = client.get(url)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return (time.perf_counter() - t) * 1000, response


def measure(client: Client, url: str) -> tuple[float, int, float, list[str], int]:
    """Median ms, queries, slowest statement ms, its SQL, the HTTP status."""
    ms_runs = []
    timed_get(client, url)  # warm-up: caches, prepared plans, the first audit entry
    for _ in range(RUNS):
        ms, response = timed_get(client, url)
        ms_runs.append(ms)
    with CaptureQueriesContext(connection) as ctx:
        _ms, response = timed_get(client, url)
    statements = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    slowest_ms, slowest_sql = max(statements, default=(0.0, ""))
    # A compound statement starts with its first part: "(SELECT … LIMIT …) UNION ALL (…)".
    selects = [sql for _t, sql in statements if sql.lstrip(" \n(").upper().startswith("SELECT")]
    if os.environ.get("BENCH_VERBOSE"):  # every statement with its time
        for ms, sql in statements:
            log(f"    {ms:6.1f} ms  {sql[:160]}")
    SLOWEST[url] = slowest_sql
    return statistics.median(ms_runs), len(statements), slowest_ms, selects, response.status_code


def badge_once(user_pk: int) -> tuple[float, int, int]:
    """The badge's context processor for a user loaded fresh (their teams not yet read)."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=user_pk)
    with CaptureQueriesContext(connection) as queries:
        t = time.perf_counter()
        count = deadline_badge(request)["deadlines_at_risk"]
        elapsed = (time.perf_counter() - t) * 1000
    return elapsed, count, len(queries)


def measure_badges(users: dict[str, User]) -> list[str]:
    """The badge alone, per role, beside the list it opens ("gemeldet"), which must agree."""
    failures = []
    runs_n = max(RUNS * 4, 20)
    for role in BADGE_ROLES:
        user = users[role]
        badge_once(user.pk)  # warm-up
        runs = [badge_once(user.pk) for _ in range(runs_n)]
        ms = statistics.median(r[0] for r in runs)
        count, n = runs[0][1], runs[0][2]
        gemeldet = ListFilter(state="gemeldet")
        listed = deadline_page(gemeldet, user, timezone.now(), 1).paginator.count
        problems = []
        if ms > BADGE_MS:
            problems.append(f"{ms:.2f} ms > {BADGE_MS:.0f} ms")
        if min(count, COUNT_CAP + 1) != listed:
            problems.append(f"{count} flagged, the list shows {listed}")
        log(
            f"backoffice: badge {role} {ms:.2f} ms, {n} queries ({count:,} flagged)"
            + (f"  FAILED: {'; '.join(problems)}" if problems else "")
        )
        if problems:
            failures.append(f"badge {role}: {'; '.join(problems)}")
    return failures


def main() -> int:
    pages = registry()
    found = existing() if os.environ.get("BENCH_REUSE") else None
    if found is None:
        if Deadline.objects.exists():
            raise SystemExit("The database already holds deadlines: run against an empty one.")
        found = seed()
    jobcenter, users = found
    failures: list[str] = []
    show_plans = bool(os.environ.get("BENCH_EXPLAIN"))
    try:
        with override_settings(ROOT_URLCONF="bench.floor_urls", ALLOWED_HOSTS=["*"]):
            clients, context = {}, {}
            for role, user in users.items():
                client = Client()
                client.force_login(user)
                clients[role] = client
                context[role] = placeholders(user)
            floor_ms, floor_queries, _s, _sel, status = measure(
                clients["leistung"], "/bench/floor/"
            )
            if status != 200:
                raise SystemExit(f"floor view answered {status}")
            log(f"backoffice-floor: {floor_ms:.1f} ms, {floor_queries} queries")
            for name, url, role in pages:
                url = url.format(**context[role]) if "{" in url else url
                ms, n, slowest, selects, status = measure(clients[role], url)
                problems = []
                if status != 200:
                    problems.append(f"HTTP {status}")
                if ms > PAGE_MS:
                    problems.append(f"{ms:.1f} ms > {PAGE_MS:.0f} ms")
                if slowest > STATEMENT_MS:
                    problems.append(f"a statement took {slowest:.1f} ms > {STATEMENT_MS:.0f} ms")
                for sql in selects:
                    plan = explain(sql)
                    scans = sorted({m.group(1) for line in plan for m in SEQ_SCAN.finditer(line)})
                    if scans or show_plans:
                        log(f"--- EXPLAIN {name}: {sql[:300]}")
                        for line in plan:
                            log("    " + line)
                    if scans:
                        problems.append(f"Seq Scan on {', '.join(scans)}")
                log(
                    f"backoffice: {name} {ms:.1f} ms, {n} queries, slowest {slowest:.1f} ms,"
                    f" floor {floor_ms:.1f} ms, ratio {ms / floor_ms:.1f}"
                    + (f"  FAILED: {'; '.join(problems)}" if problems else "")
                )
                if problems:
                    failures.append(f"{name}: {'; '.join(problems)}")
                    if slowest > STATEMENT_MS:
                        log(f"    slowest statement: {SLOWEST[url][:200]}")
        failures += measure_badges(users)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            cleanup(jobcenter)
    if failures:
        badges = sum(1 for f in failures if f.startswith("badge "))
        log(
            f"backoffice: {len(failures) - badges} of {len(pages)} pages"
            f" and {badges} of {len(BADGE_ROLES)} badges FAILED"
        )
        for failure in failures:
            log(f"  {failure}")
        return 1
    log(
        f"backoffice: all {len(pages)} pages within {PAGE_MS:.0f} ms and {STATEMENT_MS:.0f} ms,"
        f" the badge within {BADGE_MS:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
