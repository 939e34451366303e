"""The customer's page behind the letter's link: confirm, cancel, move, ask (issue 16)."""

from datetime import date, time, timedelta

import pytest
from django.core import signing
from django.test import Client, override_settings
from django.urls import reverse

from appointments.customer_codes import LINK_SALT, customer_link_url, link_token
from appointments.models import Appointment, CustomerRequest, Kind, Status
from appointments.selectors import eg_search
from appointments.services.first_consultation import eg_book
from intake.models import Antrag, ErstgespraechState
from jobcenter.models import AuditEvent
from minimumstandards.workdays import BERLIN, end_of_day
from routing.models import Aufgabe
from tests.factories import person, register

from .conftest import MONDAY, at, release

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(clock, profile, people, teams, site):
    release(people["ifk"], site)
    return people


@pytest.fixture(autouse=True)
def _memory_cache(settings):
    # The throttles count in the cache: a fresh one per test.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def book(world, teams, *, rfb=False):
    antrag = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Erika", "Muster", date(1985, 3, 27), is_head=True)],
        ifk=world["ifk"],
    )
    when = eg_search(antrag=antrag).found.slots[0].starts_at
    eg = eg_book(actor=world["ez"], antrag_id=antrag.pk, caseworker=world["ifk"], starts_at=when)
    if eg.with_rfb != rfb:
        Appointment.objects.filter(pk=eg.pk).update(with_rfb=rfb, rfb_text="RFB" if rfb else "")
        eg.refresh_from_db()
    return eg


def path_of(appointment) -> str:
    return reverse("customer_link", args=[link_token(appointment)])


def test_the_url_name_is_the_path_the_letter_prints(world, teams):
    eg = book(world, teams)
    with override_settings(PUBLIC_BASE_URL="https://jc.example.org"):
        url = customer_link_url(eg)
    token = url.removeprefix("https://jc.example.org/t/").rstrip("/")
    assert url == f"https://jc.example.org{reverse('customer_link', args=[token])}"


def test_page_shows_the_appointment_and_nothing_personal(world, teams):
    eg = book(world, teams)
    response = Client().get(path_of(eg))
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "same-origin"
    text = response.content.decode()
    # Monday 23 March 2026 09:00, the first EG slot of the IFK.
    assert "Montag, 23. März 2026" in text and "09:00 bis 10:00 Uhr" in text
    assert world["ifk"].last_name in text
    assert world["ifk"].first_name not in text
    assert "Erika" not in text and "Muster" not in text
    assert eg.kunde.kundennummer not in text
    opened = AuditEvent.objects.get(action="view", target_id=eg.pk)
    assert opened.actor is None and opened.subject_id == eg.kunde_id


def test_tampered_and_expired_tokens_are_refused(world, teams, clock):
    eg = book(world, teams)
    token = link_token(eg)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = Client().get(reverse("customer_link", args=[tampered]))
    assert response.status_code == 404
    assert "Dieser Link gilt nicht" in response.content.decode()
    # Another appointment's number under this signature: refused.
    other = token.replace(str(eg.pk), str(eg.pk + 1), 1)
    assert Client().get(reverse("customer_link", args=[other])).status_code == 404
    # A token older than 180 days (signed 181 days ago).
    old = signing.TimestampSigner(salt=LINK_SALT)
    old.timestamp = lambda: signing.b62_encode(int((MONDAY - timedelta(days=181)).timestamp()))
    response = Client().get(reverse("customer_link", args=[old.sign(str(eg.pk))]))
    assert response.status_code == 410
    assert "abgelaufen" in response.content.decode()
    # The appointment is over.
    clock.set(eg.ends_at + timedelta(minutes=1))
    response = Client().get(path_of(eg))
    assert response.status_code == 410 and "vorbei" in response.content.decode()
    assert not AuditEvent.objects.filter(action="change", target_id=eg.pk, actor=None).exists()


def test_many_bad_links_from_one_address_are_held_off(world, teams, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    client = Client()
    for _ in range(3):
        assert client.get(reverse("customer_link", args=["1:x:y"])).status_code == 404
    eg = book(world, teams)
    # Even a good link from that address waits now.
    assert client.get(path_of(eg)).status_code == 429


def test_confirm_shows_on_the_caseworkers_day_and_twice_is_once(world, teams):
    eg = book(world, teams)
    ifk = Client()
    ifk.force_login(world["ifk"])
    assert "bestätigt" not in ifk.get(reverse("appointments:calendar")).content.decode()
    assert "bestätigt" not in ifk.get(reverse("routing:worklist")).content.decode()
    client = Client(enforce_csrf_checks=False)
    first = client.post(path_of(eg), {"aktion": "bestaetigen"})
    assert first.status_code == 302
    confirmed = Appointment.objects.get(pk=eg.pk).customer_confirmed_at
    assert confirmed is not None
    client.post(path_of(eg), {"aktion": "bestaetigen"})
    assert Appointment.objects.get(pk=eg.pk).customer_confirmed_at == confirmed
    assert AuditEvent.objects.filter(target_id=eg.pk, summary__contains="bestätigt").count() == 1
    page = client.get(first["Location"]).content.decode()
    assert "Sie haben bestätigt, dass Sie kommen" in page
    # The IFK's calendar (the week with the day) and the worklist say so.
    week = ifk.get(reverse("appointments:calendar")).content.decode()
    assert "bestätigt" in week
    worklist = ifk.get(reverse("routing:worklist")).content.decode()
    assert "bestätigt" in worklist


@pytest.mark.rule("R-TE-02")
def test_cancel_by_link_frees_the_slot_and_gives_the_ifk_the_30_day_task(world, teams):
    eg = book(world, teams)
    client = Client()
    response = client.post(path_of(eg), {"aktion": "absagen"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Sie haben den Termin abgesagt" in text
    # Registered Monday 23 March 2026: 30 days later is Wednesday 22 April 2026.
    assert "22.04.2026" in text
    eg.refresh_from_db()
    assert eg.status == Status.ABGESAGT_KUNDE and eg.outcome_by is None
    antrag = Antrag.objects.get(pk=eg.antrag_id)
    assert antrag.eg_state == ErstgespraechState.OFFEN
    task = Aufgabe.objects.get(title__startswith="Abgesagt über den Termin-Link")
    assert task.assignee == world["ifk"] and task.kunde_id == eg.kunde_id
    assert task.due_at == end_of_day(date(2026, 4, 22))
    # The slot is free: the chain offers Monday 09:00 again.
    assert eg_search(antrag=antrag).found.slots[0].starts_at == at(date(2026, 3, 23), 9)
    # A second tap changes nothing and answers the same.
    again = client.post(path_of(eg), {"aktion": "absagen"})
    assert again.status_code == 410 and "Sie haben den Termin abgesagt" in again.content.decode()
    assert Aufgabe.objects.filter(title__startswith="Abgesagt über den Termin-Link").count() == 1


def test_rfb_appointment_is_not_cancelled_without_a_reason(world, teams):
    eg = book(world, teams, rfb=True)
    client = Client()
    page = client.get(path_of(eg)).content.decode()
    assert "Rechtsfolgenbelehrung" in page and "?schritt=absagen" not in page
    refused = client.post(path_of(eg), {"aktion": "absagen"})
    assert refused.status_code == 422
    eg.refresh_from_db()
    assert eg.status == Status.GEBUCHT
    no_reason = client.post(path_of(eg), {"aktion": "anfrage", "wunsch": "absagen", "grund": " "})
    assert no_reason.status_code == 422
    assert not CustomerRequest.objects.exists()
    done = client.post(
        path_of(eg), {"aktion": "anfrage", "wunsch": "absagen", "grund": "Vorstellungsgespräch"}
    )
    assert done.status_code == 302
    client.post(path_of(eg), {"aktion": "anfrage", "wunsch": "absagen", "grund": "nochmal"})
    request = CustomerRequest.objects.get()
    assert request.reason == "Vorstellungsgespräch"
    assert request.aufgabe.assignee == world["ifk"]
    assert "Vorstellungsgespräch" in request.aufgabe.description
    eg.refresh_from_db()
    assert eg.status == Status.GEBUCHT and eg.starts_at == at(date(2026, 3, 23), 9)
    page = client.get(path_of(eg)).content.decode()
    assert "Der Termin bleibt bestehen" in page
    # Nor moved by link: no slots are offered, a posted one is refused.
    moved = client.post(path_of(eg), {"aktion": "verlegen", "slot": "1:1774339200"})
    assert moved.status_code == 422
    assert Appointment.objects.get(pk=eg.pk).starts_at == at(date(2026, 3, 23), 9)


def test_move_to_an_offered_slot_frees_the_old_one(world, teams, django_assert_max_num_queries):
    eg = book(world, teams)
    client = Client()
    with django_assert_max_num_queries(14):
        page = client.get(path_of(eg) + "?schritt=verlegen")
    text = page.content.decode()
    # From the next day: Tuesday 24 March 09:00 is the first offered.
    assert "Dienstag, 24.03.2026, 09:00–10:00 Uhr" in text
    tuesday = at(date(2026, 3, 24), 9)
    value = f"{world['ifk'].pk}:{int(tuesday.timestamp())}"
    response = client.post(path_of(eg), {"aktion": "verlegen", "slot": value})
    assert response.status_code == 302
    eg.refresh_from_db()
    assert eg.starts_at == tuesday and eg.ends_at == tuesday + timedelta(hours=1)
    assert eg.customer_confirmed_at is not None
    assert Antrag.objects.get(pk=eg.antrag_id).eg_at == tuesday
    # Twice is once; the old Monday slot is free for another customer.
    assert client.post(path_of(eg), {"aktion": "verlegen", "slot": value}).status_code == 302
    assert Appointment.objects.filter(pk=eg.pk, starts_at=tuesday).exists()
    other = register(
        actor=world["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Otto", "Beispiel", date(1970, 2, 2), is_head=True)],
        ifk=world["ifk"],
    )
    assert eg_search(antrag=other).found.slots[0].starts_at == at(date(2026, 3, 23), 9)
    # A slot that was never offered (Monday 12:00, outside the window) is refused.
    noon = at(date(2026, 3, 30), 12)
    bad = client.post(
        path_of(eg), {"aktion": "verlegen", "slot": f"{world['ifk'].pk}:{int(noon.timestamp())}"}
    )
    assert bad.status_code == 422
    assert "nicht mehr frei" in bad.content.decode()


def test_no_slot_fits_leaves_a_request_for_the_caseworker(world, teams):
    eg = book(world, teams)
    response = Client().post(
        path_of(eg),
        {"aktion": "anfrage", "wunsch": "verlegen", "grund": "Nur nachmittags ab 14 Uhr"},
    )
    assert response.status_code == 302
    request = CustomerRequest.objects.get()
    assert request.wish == CustomerRequest.Wish.MOVE
    assert request.aufgabe.assignee == world["ifk"]
    assert Appointment.objects.get(pk=eg.pk).status == Status.GEBUCHT


def test_the_appointment_page_of_the_ifk_shows_the_request(world, teams):
    eg = book(world, teams, rfb=True)
    Client().post(path_of(eg), {"aktion": "anfrage", "wunsch": "verlegen", "grund": "Arzttermin"})
    ifk = Client()
    ifk.force_login(world["ifk"])
    page = ifk.get(reverse("appointments:detail", args=[eg.pk])).content.decode()
    assert "Anfrage über den Termin-Link" in page and "Arzttermin" in page


def test_follow_up_cancel_task_due_by_the_next_contact(world, teams, site):
    release(world["ifk"], site, kind=Kind.FOLGEGESPRAECH, starts=time(10), ends=time(12))
    eg = book(world, teams)
    follow = Appointment.objects.create(
        jobcenter=eg.jobcenter,
        kunde=eg.kunde,
        caseworker=world["ifk"],
        kind=Kind.FOLGEGESPRAECH,
        standort=site,
        starts_at=at(date(2026, 3, 26), 10),
        ends_at=at(date(2026, 3, 26), 10, 45),
        invitation_occasion="folge",
        booked_by=world["ifk"],
    )
    Client().post(path_of(follow), {"aktion": "absagen"})
    task = Aufgabe.objects.get(title__startswith="Abgesagt über den Termin-Link")
    # No contact profile yet: 10 working days from Monday 23 March 2026 (Good Friday 3 April
    # and Easter Monday 6 April are holidays): Wednesday 8 April.
    assert task.due_at.astimezone(BERLIN).date() == date(2026, 4, 8)


def test_letter_prints_the_code_and_a_qr_code_of_the_link(world, teams):
    import io

    from pypdf import PdfReader
    from reportlab.graphics.barcode.qr import QrCodeWidget

    from appointments.customer_codes import appointment_id_from_token, checkin_code
    from appointments.letters import invitation_pdf, link_qr

    eg = book(world, teams)
    reader = PdfReader(io.BytesIO(invitation_pdf(eg)))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert f"Termin-Code: {checkin_code(eg)}" in text
    assert "QR-Code" in text and "bestätigen" in text
    with override_settings(PUBLIC_BASE_URL="https://jc.example.org"):
        url = customer_link_url(eg)
    (widget,) = [w for w in link_qr(url).contents if isinstance(w, QrCodeWidget)]
    assert widget.value == url
    token = url.removeprefix("https://jc.example.org/t/").rstrip("/")
    assert appointment_id_from_token(token) == eg.pk
