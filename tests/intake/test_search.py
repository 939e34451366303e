"""The one customer search (intake.selectors.kunde_search) and the three places that use it:
Kundensuche, the reception's lookup at check-in and the Vermerk form."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Kunde
from intake.selectors import SearchKind, kunde_search
from jobcenter.roles import Role
from tests.factories import JobcenterFactory, TeamFactory, UserFactory, person, register

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance needs pg_trgm"
)


def names(result) -> list[str]:
    return [f"{k.last_name}, {k.first_name}" for k in result.kunden]


@pytest.fixture
def meier(staff, teams):
    """A BG in Team leistung: Sabine Meier (Vorstand, 962D000151) and her son Jonas."""
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        ifk=staff["ifk"],
        persons=[
            person("Sabine", "Meier", date(1980, 2, 1), is_head=True, kundennummer="962D000151"),
            person("Jonas", "Meier", date(2008, 6, 15), kundennummer="962D000152"),
        ],
    )


@pytest.fixture
def meyer(staff, teams):
    """Another Meier-sounding person, in Team leistung_b's BG."""
    return register(
        actor=staff["ez"],
        leistung_team=teams["leistung_b"],
        persons=[
            person("Sabine", "Meyer", date(1975, 11, 30), is_head=True, kundennummer="962D000160")
        ],
    )


@pytest.fixture
def elsewhere(db):
    """A customer of another Jobcenter with the same name and even the same Kd.-Nr."""
    jobcenter = JobcenterFactory(slug="cottbus", name="Jobcenter Cottbus", bundesland="BB")
    team = TeamFactory(jobcenter=jobcenter, name="Leistung Cottbus")
    ez = UserFactory(username="ez-cottbus", jobcenter=jobcenter, role=Role.EINGANGSZONE)
    return register(
        actor=ez,
        leistung_team=team,
        persons=[
            person("Sabine", "Meier", date(1980, 2, 1), is_head=True, kundennummer="962D000151")
        ],
    ).applicant


# --- Kd.-Nr. and BG-Nummer ----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["962D000151", "962D 000151", "962d000151", " 962 d 000 151 "])
def test_kundennummer_with_spaces_or_lower_case(staff, meier, typed):
    result = kunde_search(user=staff["ez"], query=typed)
    assert result.kind == SearchKind.KUNDENNUMMER
    assert names(result) == ["Meier, Sabine"]
    assert result.identifies == meier.applicant
    assert result.message == ""


def test_unknown_kundennummer_says_so(staff, meier):
    result = kunde_search(user=staff["ez"], query="962D999999")
    assert result.kunden == []
    assert result.message == "Keine Kundin und kein Kunde mit dieser Kd.-Nr. gefunden."


def test_bg_nummer_finds_the_household_head_first(staff, meier):
    number = meier.bedarfsgemeinschaft.number
    for typed in (number, number.lower(), f"{number[:5]} {number[5:7]} {number[7:]}"):
        result = kunde_search(user=staff["ez"], query=typed)
        assert result.kind == SearchKind.BG_NUMMER
        assert names(result) == ["Meier, Sabine", "Meier, Jonas"], typed
    assert kunde_search(user=staff["ez"], query="96200BG9999999").message == (
        "Keine Bedarfsgemeinschaft mit dieser BG-Nummer gefunden."
    )


def test_a_malformed_number_is_explained(staff, meier):
    result = kunde_search(user=staff["ez"], query="962D00015")
    assert result.kind == SearchKind.INVALID
    assert result.kunden == []
    assert "123A456789" in result.message and "12345BG1234567" in result.message


# --- names --------------------------------------------------------------------------------


def test_surname_prefix_and_both_orders_of_first_name(staff, meier):
    ez = staff["ez"]
    assert names(kunde_search(user=ez, query="Meie")) == ["Meier, Jonas", "Meier, Sabine"]
    assert names(kunde_search(user=ez, query="Meier Sabine")) == ["Meier, Sabine"]
    assert names(kunde_search(user=ez, query="Sabine Meier")) == ["Meier, Sabine"]
    assert names(kunde_search(user=ez, query="Meier, Jonas")) == ["Meier, Jonas"]


@on_postgres
def test_surname_typo_is_tolerated_and_exact_comes_first(staff, meier, meyer):
    ez = staff["ez"]
    # Typed "Meyer": Meyer exactly first, then the Meiers found despite the typo.
    assert names(kunde_search(user=ez, query="Meyer")) == [
        "Meyer, Sabine",
        "Meier, Jonas",
        "Meier, Sabine",
    ]
    assert names(kunde_search(user=ez, query="Meier")) == [
        "Meier, Jonas",
        "Meier, Sabine",
        "Meyer, Sabine",
    ]
    assert names(kunde_search(user=ez, query="Meyer Sabine")) == ["Meyer, Sabine", "Meier, Sabine"]


@on_postgres
def test_typo_in_the_name_with_the_birth_date_identifies(staff, meier, meyer):
    result = kunde_search(user=staff["ez"], query="Maier", date_of_birth=date(1980, 2, 1))
    assert names(result) == ["Meier, Sabine"]
    assert result.identifies == meier.applicant


def test_umlauts_and_case_in_names(staff, teams):
    register(
        actor=staff["ez"],
        leistung_team=teams["leistung"],
        persons=[person("Jürgen", "Müller", date(1970, 5, 5), is_head=True)],
    )
    for typed in ("müll", "MÜLLER", "Müller, jürgen"):
        assert names(kunde_search(user=staff["ez"], query=typed)) == ["Müller, Jürgen"], typed


def test_name_and_birth_date_narrow(staff, meier):
    ez = staff["ez"]
    wide = kunde_search(user=ez, query="Meier")
    assert names(wide) == ["Meier, Jonas", "Meier, Sabine"]
    assert wide.identifies is None
    assert wide.message == "Bitte Geburtsdatum angeben, um unter 2 Treffern zu wählen."
    narrow = kunde_search(user=ez, query="Meier", date_of_birth=date(2008, 6, 15))
    assert names(narrow) == ["Meier, Jonas"]
    assert narrow.identifies == Kunde.objects.get(kundennummer="962D000152")
    # The date may also be typed into the one search box, as dd.mm.yyyy.
    typed = kunde_search(user=ez, query="Meier 15.06.2008")
    assert names(typed) == ["Meier, Jonas"] and typed.date_of_birth == date(2008, 6, 15)
    assert names(kunde_search(user=ez, query="Meier", date_of_birth=date(1999, 1, 1))) == []


def test_a_name_alone_never_identifies_even_one_match(staff, meier):
    result = kunde_search(user=staff["ez"], query="Meier Sabine")
    assert names(result) == ["Meier, Sabine"]
    assert result.identifies is None


def test_birth_date_alone_lists_who_was_born_that_day(staff, meier):
    result = kunde_search(user=staff["ez"], query="", date_of_birth=date(1980, 2, 1))
    assert result.kind == SearchKind.BIRTH_DATE
    assert names(result) == ["Meier, Sabine"]


def test_too_many_matches_say_what_is_missing(staff, meier):
    result = kunde_search(user=staff["ez"], query="Meier", limit=1)
    assert len(result.kunden) == 1 and result.total == 2
    assert result.message == "Bitte Geburtsdatum angeben, um unter 2 Treffern zu wählen."


@on_postgres
def test_more_exact_matches_than_shown_come_by_name_and_count_the_similar(staff, meier, meyer):
    """Two Meiers for one place: the exact ones by first name, the total also counts
    Sabine Meyer (similar surname)."""
    result = kunde_search(user=staff["ez"], query="Meier", limit=1)
    assert names(result) == ["Meier, Jonas"]
    assert result.total == 3
    assert result.message == "Bitte Geburtsdatum angeben, um unter 3 Treffern zu wählen."


def test_too_short_or_impossible_input_is_explained(staff, meier):
    assert kunde_search(user=staff["ez"], query="M").message == (
        "Bitte mindestens zwei Buchstaben des Nachnamens eingeben."
    )
    assert kunde_search(user=staff["ez"], query="Meier 31.02.1980").message == (
        "Das Geburtsdatum ist kein gültiges Datum (TT.MM.JJJJ)."
    )
    empty = kunde_search(user=staff["ez"], query="  ")
    assert empty.kind == SearchKind.EMPTY and not empty.searched


# --- scope --------------------------------------------------------------------------------


def test_another_jobcenters_customers_are_never_found(staff, meier, elsewhere):
    for typed in ("962D000151", "Meier", "Meier Sabine 01.02.1980"):
        found = kunde_search(user=staff["ez"], query=typed).kunden
        assert elsewhere not in found, typed
        assert meier.applicant in found, typed


def test_another_teams_customers_are_never_found(staff, meier, meyer):
    # Leistung of team leistung_b sees Meyer's BG only, not Meier's.
    leistung_b = staff["leistung_b"]
    assert kunde_search(user=leistung_b, query="962D000151").kunden == []
    assert kunde_search(user=leistung_b, query=meier.bedarfsgemeinschaft.number).kunden == []
    found = names(kunde_search(user=leistung_b, query="Meier"))
    assert "Meier, Sabine" not in found and "Meier, Jonas" not in found
    # The IFK sees the customers they look after (the Meiers), not Meyer.
    assert "Meyer, Sabine" not in names(kunde_search(user=staff["ifk"], query="Meyer"))
    assert names(kunde_search(user=staff["ifk"], query="Meier")) == [
        "Meier, Jonas",
        "Meier, Sabine",
    ]


@on_postgres
def test_a_typo_does_not_widen_the_scope(staff, meier, meyer):
    assert names(kunde_search(user=staff["ifk"], query="Sabine Meyer")) == ["Meier, Sabine"]
    assert names(kunde_search(user=staff["leistung_b"], query="Meier")) == ["Meyer, Sabine"]


def test_outsider_of_another_jobcenter_finds_nothing(outsider, meier):
    assert kunde_search(user=outsider, query="962D000151").kunden == []
    assert kunde_search(user=outsider, query="Meier").kunden == []


# --- the three entry points -----------------------------------------------------------------


def _intake_pks(client, q, born=""):
    response = client.get(reverse("intake:customer_search"), {"q": q, "date_of_birth": born})
    assert response.status_code == 200
    return [k.pk for k in response.context["results"] or []]


def _reception_pks(client, q, born=""):
    response = client.get(
        reverse("frontdesk:checkin_lookup"),
        {"q": q, "date_of_birth": born},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return [k.pk for k in response.context["results"] or []]


def _vermerk_pks(client, q, born=""):
    typed = f"{q} {born}".strip()
    response = client.get(reverse("routing:kunde_search"), {"q": typed})
    assert response.status_code == 200
    return [pk for pk, _label in response.context["form"].fields["kunde"].choices if pk]


@pytest.mark.parametrize(
    ("q", "born", "expected"),
    [
        ("962D 000151", "", ["962D000151"]),
        ("962d000152", "", ["962D000152"]),
        ("BG", "", []),
        ("Meier", "", ["962D000152", "962D000151"]),
        ("Meier Sabine", "", ["962D000151"]),
        ("Meier", "15.06.2008", ["962D000152"]),
        ("", "01.02.1980", ["962D000151"]),
        ("Niemand", "", []),
    ],
)
def test_the_three_entry_points_find_the_same(login, staff, meier, elsewhere, q, born, expected):
    client = login(staff["ez"])
    by_number = dict(
        Kunde.objects.filter(jobcenter=staff["ez"].jobcenter).values_list("kundennummer", "pk")
    )
    want = [by_number[nr] for nr in expected]
    assert _intake_pks(client, q, born) == want
    assert _reception_pks(client, q, born) == want
    if q:  # the Vermerk form has one box: the date is typed into it
        assert _vermerk_pks(client, q, born) == want


def test_the_three_entry_points_find_the_bg(login, staff, meier):
    client = login(staff["ez"])
    number = meier.bedarfsgemeinschaft.number.lower()
    want = [meier.applicant.pk, Kunde.objects.get(kundennummer="962D000152").pk]
    assert _intake_pks(client, number) == want
    assert _reception_pks(client, number) == want
    assert _vermerk_pks(client, number) == want


def test_reception_lookup_says_what_is_missing(login, staff, meier):
    page = (
        login(staff["empfang"])
        .get(reverse("frontdesk:checkin_lookup"), {"q": "Meier"}, headers={"HX-Request": "true"})
        .content.decode()
    )
    assert "Bitte Geburtsdatum angeben, um unter 2 Treffern zu wählen." in page
    assert "checked" in page.split('id="kunde-none"')[1]  # nobody chosen from a name alone


def test_vermerk_and_kundensuche_say_what_is_missing(login, staff, meier):
    client = login(staff["ez"])
    page = client.get(reverse("intake:customer_search"), {"q": "Meier"}).content.decode()
    assert "Bitte Geburtsdatum angeben, um unter 2 Treffern zu wählen." in page
    page = client.get(reverse("routing:kunde_search"), {"q": "962D00015"}).content.decode()
    assert "Die Kd.-Nr. hat das Format 123A456789" in page


# --- cost ---------------------------------------------------------------------------------


def _count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["ez", "leistung", "ifk"])
def test_search_query_count_is_bounded(staff, meier, who):
    user = staff[who]

    def search(query):
        return lambda: kunde_search(user=user, query=query, limit=5)

    kunde_search(user=user, query="Meier")  # warm up: a role's team ids are cached per user
    few = _count(search("Meier"))
    Kunde.objects.bulk_create(
        Kunde(
            jobcenter=user.jobcenter,
            kundennummer=f"962D{500000 + i:06d}",
            first_name=f"Vorname{i}",
            last_name="Meier",
            date_of_birth=date(1990, 1, 1),
            bedarfsgemeinschaft=meier.bedarfsgemeinschaft,
            ifk=staff["ifk"],
        )
        for i in range(30)
    )
    many = _count(search("Meier"))
    # Over the limit costs one capped count, however many rows match.
    assert few <= 2 and many <= few + 1
    assert _count(search("962D000151")) <= 2
    assert _count(search(meier.bedarfsgemeinschaft.number)) <= 2
