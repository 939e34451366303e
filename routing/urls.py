from django.urls import path

from . import views

app_name = "routing"

urlpatterns = [
    path("vermerke/neu/", views.vermerk_new, name="vermerk_new"),
    path("vermerke/kundensuche/", views.kunde_search, name="kunde_search"),
    path("vermerke/informationsart/", views.type_details, name="type_details"),
    path("vermerke/<int:pk>/", views.vermerk_detail, name="vermerk_detail"),
    path("tickets/neu/", views.ticket_new, name="ticket_new"),
    path("postfaecher/", views.mailboxes, name="mailboxes"),
    path("postfaecher/persoenlich/", views.personal_mailbox, name="personal"),
    path("postfaecher/<int:pk>/", views.mailbox, name="mailbox"),
    path("postfaecher/eintrag/<int:pk>/", views.item, name="item"),
    path("postfaecher/eintrag/<int:pk>/uebernehmen/", views.item_claim, name="item_claim"),
    path("postfaecher/eintrag/<int:pk>/freigeben/", views.item_release, name="item_release"),
    path("postfaecher/eintrag/<int:pk>/erledigt/", views.item_done, name="item_done"),
    path(
        "postfaecher/eintrag/<int:pk>/wiedervorlage/",
        views.item_follow_up,
        name="item_follow_up",
    ),
    path("postfaecher/eintrag/<int:pk>/identitaet/", views.item_identify, name="item_identify"),
    path("postfaecher/eintrag/<int:pk>/umleiten/", views.item_reroute, name="item_reroute"),
    path("postfaecher/eintrag/<int:pk>/weiterleiten/", views.item_forward, name="item_forward"),
    path("arbeitsliste/", views.worklist, name="worklist"),
    path("weiterleitung/", views.rules, name="rules"),
]
