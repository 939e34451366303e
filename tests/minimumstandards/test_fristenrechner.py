"""The Fristenrechner: the management command and the page (examples of rule R-ZT-01)."""

import os
import re
import subprocess
import sys
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from minimumstandards.models import ClosingDay

from ..factories import UserFactory

URL = "/fristenrechner/"
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("fristenrechner", *args, stdout=out)
    return out.getvalue().splitlines()


# --------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------


def test_nine_working_days_over_christmas():
    lines = run("--land", "NW", "--start", "2026-12-16", "--frist", "9AT")
    assert lines[0] == "2027-01-04T23:59:59+01:00"
    text = "\n".join(lines[1:])
    assert "Schließtag" in text
    assert "Donnerstag, 24.12.2026 – Schließtag" in text
    assert "Freitag, 01.01.2027 – Feiertag: Neujahr" in text
    assert "Gezählte Arbeitstage (9)" in text


def test_24h_over_easter_keeps_the_clock_time():
    lines = run("--land", "NW", "--start", "2026-04-02T10:30", "--frist", "24h")
    assert lines[0] == "2026-04-07T10:30:00+02:00"
    assert any("Karfreitag" in line for line in lines[1:])
    assert any("Ostermontag" in line for line in lines[1:])
    assert lines[-1] == "Fällig: Dienstag, 07.04.2026, 10:30 Uhr"


def test_calendar_days_and_lowercase_land():
    lines = run("--land", "by", "--start", "2026-04-02", "--frist", "30KT")
    assert lines[0] == "2026-05-02T23:59:59+02:00"


def test_real_exit_status_and_first_line_via_manage_py():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jobcenter.settings.test"}
    cmd = [sys.executable, "manage.py", "fristenrechner", "--start", "2026-12-16"]
    ok = subprocess.run(
        [*cmd, "--land", "NW", "--frist", "9AT"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == "2027-01-04T23:59:59+01:00"
    bad = subprocess.run(
        [*cmd, "--land", "NW", "--frist", "neun"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "Ungültige Fristangabe" in bad.stderr
    assert bad.stdout == ""


def test_jobcenter_calendar_counts_its_own_closing_day(jobcenter):
    args = ("--jobcenter", jobcenter.slug, "--start", "2026-12-16", "--frist", "9AT")
    assert run(*args)[0] == "2027-01-04T23:59:59+01:00"
    ClosingDay.objects.create(
        jobcenter=jobcenter, day=date(2026, 12, 22), closed=True, reason="Betriebsausflug"
    )
    lines = run(*args)
    assert lines[0] == "2027-01-05T23:59:59+01:00"
    assert any("22.12.2026" in line and "Betriebsausflug" in line for line in lines)


def test_jobcenter_that_opens_on_a_default_closing_day(jobcenter):
    ClosingDay.objects.create(jobcenter=jobcenter, day=date(2026, 12, 24), closed=False)
    lines = run("--jobcenter", jobcenter.slug, "--start", "2026-12-16", "--frist", "9AT")
    assert lines[0] == "2026-12-30T23:59:59+01:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--land", "XX", "--start", "2026-12-16", "--frist", "9AT"), "Unbekanntes Bundesland"),
        (("--land", "NW", "--start", "16.12.2026", "--frist", "9AT"), "Ungültiger Beginn"),
        (("--land", "NW", "--start", "2026-02-30", "--frist", "9AT"), "Ungültiger Beginn"),
        (("--land", "NW", "--start", "2026-12-16", "--frist", "9 Tage"), "Ungültige Fristangabe"),
        (("--land", "NW", "--start", "2026-12-16", "--frist", "0AT"), "mindestens 1"),
        (("--land", "NW", "--start", "2026-12-16", "--frist", "48h"), "nur 24h"),
        (("--land", "NW", "--start", "2026-12-16", "--frist", "99999KT"), "höchstens"),
        (("--land", "NW", "--start", "2026-04-02", "--frist", "24h"), "Uhrzeit"),
        (("--land", "NW", "--start", "1900-01-02", "--frist", "9AT"), "nur für die Jahre"),
        (("--start", "2026-12-16", "--frist", "9AT"), "genau eine"),
        (("--land", "NW", "--jobcenter", "x", "--start", "2026-12-16", "--frist", "9AT"), "genau"),
        (("--land", "NW", "--frist", "9AT"), "--start"),
        (("--land", "NW", "--start", "2026-12-16"), "--frist"),
    ],
)
def test_usage_errors_exit_2(args, message):
    with pytest.raises(CommandError) as exc:
        run(*args)
    assert exc.value.returncode == 2
    assert message in str(exc.value)


def test_unknown_jobcenter_exits_2(db):
    with pytest.raises(CommandError) as exc:
        run("--jobcenter", "gibt-es-nicht", "--start", "2026-12-16", "--frist", "9AT")
    assert exc.value.returncode == 2
    assert "gibt-es-nicht" in str(exc.value)


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def test_url_name():
    assert reverse("minimumstandards:fristenrechner") == URL


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL, {"start": "2026-12-16", "frist": "9AT", "kalender": "NW"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_without_jobcenter_is_refused(login, db):
    user = UserFactory(username="ohne", jobcenter=None)
    assert login(user).get(URL).status_code == 403


@pytest.mark.parametrize("role", ["empfang", "ez", "leistung", "hotline", "teamleitung", "admin"])
def test_every_role_gets_the_empty_form(login, staff, role):
    response = login(staff[role]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Beginn (Datum)" in html
    assert "Mein Jobcenter (Jobcenter Wuppertal)" in html
    assert "Nordrhein-Westfalen" in html
    assert "Bitte prüfen" not in html
    assert 'aria-live="polite"' in html


def test_result_for_a_land(login, staff):
    response = login(staff["leistung"]).get(
        URL, {"start": "2026-12-16", "frist": "9AT", "kalender": "NW"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Montag, 04.01.2027, 24:00 Uhr" in html
    assert "2027-01-04T23:59:59+01:00" in html
    assert "Schließtag des Jobcenters (24.12.)" in html
    assert "Feiertag: Neujahr" in html
    assert "9 gezählte Arbeitstage" in html
    assert '<th class="kern-table__cell" scope="row">Donnerstag, 24.12.2026</th>' in html


def test_result_24h(login, staff):
    response = login(staff["hotline"]).get(
        URL, {"start": "2026-04-02", "uhrzeit": "10:30", "frist": "24h", "kalender": "NW"}
    )
    html = response.content.decode()
    assert "Dienstag, 07.04.2026, 10:30 Uhr" in html
    assert "2026-04-07T10:30:00+02:00" in html
    assert "Feiertag: Karfreitag" in html
    assert "Feiertag: Ostermontag" in html


def test_my_jobcenter_counts_its_closing_days(login, staff, jobcenter):
    ClosingDay.objects.create(
        jobcenter=jobcenter, day=date(2026, 12, 22), closed=True, reason="Betriebsausflug"
    )
    response = login(staff["ez"]).get(
        URL, {"start": "2026-12-16", "frist": "9AT", "kalender": "jobcenter"}
    )
    html = response.content.decode()
    assert "Dienstag, 05.01.2027, 24:00 Uhr" in html
    assert "Betriebsausflug" in html


def test_invalid_frist_shows_german_error_and_keeps_input(login, staff):
    response = login(staff["ez"]).get(
        URL, {"start": "2026-12-16", "frist": "neun Tage", "kalender": "NW"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ungültige Fristangabe" in html
    assert 'value="neun Tage"' in html
    assert 'value="2026-12-16"' in html
    assert re.search(r'aria-describedby="id_frist_helptext id_frist_error[^"]*"', html)
    assert "Fällig:" not in html


def test_24h_without_time_is_a_field_error(login, staff):
    response = login(staff["ez"]).get(
        URL, {"start": "2026-04-02", "frist": "24h", "kalender": "NW"}
    )
    html = response.content.decode()
    assert "Für eine 24-Stunden-Frist bitte die Uhrzeit angeben." in html
    assert 'id="id_uhrzeit_error"' in html


def test_year_without_known_holidays_is_an_error_not_a_crash(login, staff):
    response = login(staff["ez"]).get(
        URL, {"start": "1900-01-02", "frist": "9AT", "kalender": "NW"}
    )
    assert response.status_code == 200
    assert "nur für die Jahre" in response.content.decode()


def test_htmx_gets_only_the_partial(login, staff):
    response = login(staff["ez"]).get(
        URL,
        {"start": "2026-12-16", "frist": "9AT", "kalender": "NW"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "2027-01-04T23:59:59+01:00" in html
    assert "<html" not in html
    assert "<form" not in html


def test_query_count_is_bounded(login, staff, jobcenter, django_assert_max_num_queries):
    """The result costs two queries over the empty form (closing days and their reasons),
    however long the window and however many closing days it crosses."""
    client = login(staff["ez"])
    client.get(URL)  # warm up (session, caches)
    with django_assert_max_num_queries(100) as empty:
        client.get(URL)
    for day in (date(2026, 12, 22), date(2027, 2, 3), date(2027, 3, 4)):
        ClosingDay.objects.create(jobcenter=jobcenter, day=day, reason="Ausflug")
    with django_assert_max_num_queries(len(empty) + 2):
        response = client.get(
            URL, {"start": "2026-12-16", "frist": "90AT", "kalender": "jobcenter"}
        )
    assert response.status_code == 200
    assert "Ausflug" in response.content.decode()
    with django_assert_max_num_queries(len(empty)):
        client.get(URL, {"start": "2026-12-16", "frist": "90AT", "kalender": "NW"})


# --------------------------------------------------------------------------------------------
# Plain German: counts agree with their noun, errors are the calculator's own German
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frist", "window", "counted"),
    [
        (
            "1AT",
            '<dd class="kern-description-list-item__value">1 Arbeitstag</dd>',
            "1 gezählter Arbeitstag",
        ),
        (
            "2AT",
            '<dd class="kern-description-list-item__value">2 Arbeitstage</dd>',
            "2 gezählte Arbeitstage",
        ),
        (
            "1KT",
            '<dd class="kern-description-list-item__value">1 Kalendertag</dd>',
            "1 gezählter Kalendertag",
        ),
        (
            "2KT",
            '<dd class="kern-description-list-item__value">2 Kalendertage</dd>',
            "2 gezählte Kalendertage",
        ),
    ],
)
def test_one_day_is_singular_two_days_plural(login, staff, frist, window, counted):
    html = (
        login(staff["ez"])
        .get(URL, {"start": "2026-03-09", "frist": frist, "kalender": "NW"})
        .content.decode()
    )
    assert window in html
    assert counted in html
    assert "1 Arbeitstage" not in html and "1 Kalendertage" not in html
    result = html[html.index('id="h-result"') :]
    assert "AT (" not in result and "KT (" not in result  # not "1AT (1 Arbeitstag)"


DEVELOPER_WORDS = ("ValueError", "TypeError", "Traceback", "<Zahl>", "'", "&#x27;", "nicht int")


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"frist": "neun Tage"}, "Frist", "Ungültige Fristangabe: bitte eine Zahl mit AT"),
        ({"frist": ""}, "Frist", "Dieses Feld ist zwingend erforderlich."),
        ({"frist": "0AT"}, "Frist", "Die Frist muss mindestens 1 Tag betragen."),
        ({"frist": "48h"}, "Frist", "Als Stundenfrist gibt es nur 24h"),
        ({"frist": "1001KT"}, "Frist", "Die Frist darf höchstens 1000 Tage betragen."),
        ({"start": ""}, "Beginn (Datum)", "Dieses Feld ist zwingend erforderlich."),
        ({"start": "2026-02-30"}, "Beginn (Datum)", "Bitte ein gültiges Datum eingeben."),
        ({"start": "morgen"}, "Beginn (Datum)", "Bitte ein gültiges Datum eingeben."),
        ({"uhrzeit": "25:00"}, "Uhrzeit", "Bitte eine gültige Uhrzeit eingeben."),
        ({"kalender": "XX"}, "Kalender", "Bitte eine gültige Auswahl treffen."),
        ({"start": "1900-01-02"}, "Beginn (Datum)", "Feiertage sind nur für die Jahre"),
        ({"start": "2100-12-30"}, "Beginn (Datum)", "Feiertage sind nur für die Jahre"),
    ],
)
def test_invalid_input_gets_a_german_field_error(login, staff, params, field, message):
    query = {"start": "2026-12-16", "frist": "9AT", "kalender": "NW", **params}
    response = login(staff["ez"]).get(URL, query)
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[
        html.index('id="error-summary"') : html.index("</ul>", html.index('id="error-summary"'))
    ]
    assert f"{field}: {message}" in summary
    for word in DEVELOPER_WORDS:
        assert word not in summary, word
    assert "Fällig:" not in html
