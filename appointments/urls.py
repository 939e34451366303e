from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("termine/", views.calendar, name="calendar"),
    path("termine/arbeitsliste/", views.worklist_panel, name="worklist_panel"),
    path("termine/eingetroffen/", views.arrivals_panel, name="arrivals"),
    path("termine/kennzahlen/", views.kpi_view, name="kpi"),
    path("termine/kennzahlen/liste/", views.kpi_list, name="kpi_list"),
    path("termine/kalender/<int:pk>/", views.windows, name="windows"),
    path("termine/kalender/<int:pk>/fenster/", views.window_add, name="window_add"),
    path(
        "termine/kalender/<int:pk>/fenster/<int:window_pk>/beenden/",
        views.window_end,
        name="window_end",
    ),
    path("termine/kalender/<int:pk>/abwesenheit/", views.absence_add, name="absence_add"),
    path(
        "termine/kalender/<int:pk>/abwesenheit/<int:absence_pk>/loeschen/",
        views.absence_delete,
        name="absence_delete",
    ),
    path("termine/fall/<int:pk>/erstgespraech/", views.eg_search, name="eg_search"),
    path("termine/fall/<int:pk>/erstgespraech/buchen/", views.eg_book, name="eg_book"),
    path("termine/fall/<int:pk>/erstgespraech/ticket/", views.eg_escalate, name="eg_escalate"),
    path("termine/fall/<int:pk>/erstgespraech/teamleitung/", views.eg_manual, name="eg_manual"),
    path("termine/fall/<int:pk>/gruppe/", views.group_invite, name="group_invite"),
    path("termine/<int:pk>/", views.appointment_detail, name="detail"),
    path("termine/<int:pk>/durchgefuehrt/", views.record_held, name="record_held"),
    path("termine/<int:pk>/meldeversaeumnis/", views.record_no_show, name="record_no_show"),
    path("termine/<int:pk>/absagen/", views.cancel, name="cancel"),
    path("termine/<int:pk>/einladung.pdf", views.letter, name="letter"),
    path("termine/<int:pk>/termin.ics", views.ical, name="ical"),
    path("termine/kunde/<int:pk>/", views.contact, name="contact"),
    path("termine/kunde/<int:pk>/kontaktdichte/", views.contact_profile, name="contact_profile"),
    path(
        "termine/kunde/<int:pk>/kooperationsplan/",
        views.kooperationsplan_update,
        name="kooperationsplan_update",
    ),
    path("termine/kunde/<int:pk>/folgegespraech/", views.follow_up_book, name="follow_up_book"),
    path("termine/kunde/<int:pk>/nachtragen/", views.contact_record, name="contact_record"),
    path("termine/kunde/<int:pk>/nachhaltung/", views.follow_up_record, name="follow_up_record"),
    path("termine/gruppen/", views.group_event_list, name="group_events"),
    path("termine/gruppen/<int:pk>/", views.group_event_detail, name="group_event"),
]
