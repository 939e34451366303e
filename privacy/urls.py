from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("datenschutz/", views.search, name="search"),
    path("datenschutz/kunden/<int:pk>/", views.person, name="person"),
    path("datenschutz/kunden/<int:pk>/auskunft.pdf", views.export_pdf, name="export_pdf"),
    path("datenschutz/kunden/<int:pk>/auskunft.json", views.export_json, name="export_json"),
    path("datenschutz/kunden/<int:pk>/sperrvermerk/", views.hold_set, name="hold_set"),
    path("datenschutz/kunden/<int:pk>/sperrvermerk/aufheben/", views.hold_lift, name="hold_lift"),
    path("datenschutz/kunden/<int:pk>/loeschen/", views.erase, name="erase"),
]
