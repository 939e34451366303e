"""The one domain-error base and the one way to put it on a form."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied

from appointments.errors import AppointmentError
from appointments.slots import SlotError
from frontdesk.errors import FrontdeskError, QueueEmpty
from intake.services import CaseConflict, IntakeError
from jobcenter.errors import DomainError, add_to_form
from minimumstandards.services import DeadlineError
from routing.services import ClientKeyConflict, RoutingError


class NoteForm(forms.Form):
    subject = forms.CharField()
    on = forms.DateField(required=False)


def bound_form() -> NoteForm:
    form = NoteForm({"subject": "Umzug"})
    assert form.is_valid()
    return form


@pytest.mark.parametrize(
    "error_class",
    [
        IntakeError,
        CaseConflict,
        RoutingError,
        ClientKeyConflict,
        FrontdeskError,
        QueueEmpty,
        SlotError,
        AppointmentError,
        DeadlineError,
    ],
)
def test_every_apps_error_is_a_domain_error_with_its_german_message(error_class):
    error = error_class("Die Frist ist nicht mehr offen.")
    assert isinstance(error, DomainError)
    assert error.message == "Die Frist ist nicht mehr offen."
    assert str(error) == "Die Frist ist nicht mehr offen."


def test_a_field_error_lands_on_its_field():
    form = bound_form()
    add_to_form(form, AppointmentError("Bitte ein späteres Datum wählen.", field="on"))
    assert form.errors["on"] == ["Bitte ein späteres Datum wählen."]
    assert form.non_field_errors() == []


def test_an_error_per_field_lands_on_each_field():
    form = bound_form()
    error = RoutingError(
        "Bitte die markierten Angaben prüfen.",
        errors={"on": "Die Wiedervorlage muss nach dem heutigen Tag liegen.", "subject": ""},
    )
    add_to_form(form, error)
    assert form.errors["on"] == ["Die Wiedervorlage muss nach dem heutigen Tag liegen."]
    assert "subject" not in form.errors
    assert form.non_field_errors() == []


def test_a_general_error_lands_above_the_form():
    form = bound_form()
    add_to_form(form, FrontdeskError("Nach 18:00 Uhr ist kein Einchecken mehr möglich."))
    assert form.non_field_errors() == ["Nach 18:00 Uhr ist kein Einchecken mehr möglich."]
    assert set(form.errors) == {"__all__"}


def test_an_error_for_an_input_the_form_lacks_lands_above_the_form():
    form = bound_form()
    add_to_form(form, AppointmentError("Dieser Termin ist nicht mehr frei.", field="slot"))
    assert form.non_field_errors() == ["Dieser Termin ist nicht mehr frei."]


def test_only_marked_inputs_without_text_show_the_main_message():
    form = bound_form()
    add_to_form(form, RoutingError("Kundin oder Kunde nicht gefunden.", errors={"kunde": ""}))
    assert form.non_field_errors() == ["Kundin oder Kunde nicht gefunden."]


def test_a_refused_permission_is_shown_in_german_above_the_form():
    form = bound_form()
    add_to_form(form, PermissionDenied())
    assert form.non_field_errors() == ["Das dürfen Sie nicht."]
    form = bound_form()
    add_to_form(form, PermissionDenied("Nur die Teamleitung darf das."))
    assert form.non_field_errors() == ["Nur die Teamleitung darf das."]


def test_the_intake_error_keeps_the_person_it_concerns():
    error = IntakeError("Diese Person ist im Formular zweimal eingetragen.", person_index=1)
    assert error.person_index == 1
    assert error.field is None
