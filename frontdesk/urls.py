from django.urls import path

from . import alarm_views, kiosk_views, views

app_name = "frontdesk"

urlpatterns = [
    # The reception.
    path("empfang/", views.checkin, name="checkin"),
    path("empfang/kunden/", views.checkin_lookup, name="checkin_lookup"),
    path("empfang/heute/", views.checkin_today, name="checkin_today"),
    path("besuche/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("besuche/<int:pk>/wartemarke/", views.visit_ticket, name="ticket"),
    path("besuche/<int:pk>/abmelden/", views.visit_cancel_view, name="visit_cancel"),
    path("besuche/<int:pk>/zurueck/", views.visit_come_back_view, name="visit_come_back"),
    path("besuche/<int:pk>/zuordnen/", views.visit_identify_view, name="visit_identify"),
    # The desk (Eingangszone, Leistung, ...).
    path("aufruf/", views.desk, name="desk"),
    path("aufruf/liste/", views.desk_queue, name="desk_queue"),
    path("aufruf/oeffnen/", views.desk_open_view, name="desk_open"),
    path("aufruf/schliessen/", views.desk_close_view, name="desk_close"),
    path("aufruf/naechste/", views.call_next, name="call_next"),
    path("aufruf/besuch/<int:pk>/aufrufen/", views.call_visit, name="call_visit"),
    path("aufruf/besuch/<int:pk>/weiterleiten/", views.visit_pass_on_view, name="pass_on"),
    path("aufruf/besuch/<int:pk>/abschliessen/", views.visit_finish_view, name="finish"),
    path("aufruf/besuch/<int:pk>/<slug:step>/", views.visit_step, name="visit_step"),
    # The team lead.
    path("warteschlange/", views.live, name="live"),
    path("warteschlange/wartend/", views.live_waiting, name="live_waiting"),
    path("warteschlange/auswertung/", views.report, name="report"),
    path("warteschlange/auswertung/liste/", views.report_list, name="report_list"),
    path("warteschlange/auswertung/export.<str:fmt>", views.report_export, name="report_export"),
    # The waiting-room display: no login, the token is the key.
    path("notruf/", alarm_views.alarm_raise_view, name="alarm_raise"),
    path("notruf/aktiv/", alarm_views.alarm_region_view, name="alarm_region"),
    path("notruf/<int:pk>/uebernehmen/", alarm_views.alarm_acknowledge_view, name="alarm_ack"),
    path("notruf/<int:pk>/beenden/", alarm_views.alarm_end_view, name="alarm_end"),
    path("anzeige/<str:token>/", views.display, name="display"),
    path("anzeige/<str:token>/stand.json", views.display_data, name="display_data"),
    # The self check-in kiosk at the entrance: no login either (issue 16).
    path("kiosk/<str:token>/", kiosk_views.kiosk_start, name="kiosk"),
    path("kiosk/<str:token>/termin/", kiosk_views.kiosk_code, name="kiosk_code"),
    path("kiosk/<str:token>/anliegen/", kiosk_views.kiosk_walk_in, name="kiosk_walk_in"),
]
