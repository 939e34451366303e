from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("antrag/neu/", views.intake_new, name="new"),
    path("servicecenter/", views.service_centre, name="service_centre"),
    path("faelle/", views.case_list, name="case_list"),
    path("faelle/<int:pk>/", views.case_detail, name="case_detail"),
    path("faelle/<int:pk>/schritt/<slug:name>/", views.case_transition, name="case_transition"),
    path(
        "faelle/<int:pk>/nachweise/<int:nachweis_pk>/",
        views.nachweis_toggle,
        name="nachweis_toggle",
    ),
    path("faelle/<int:pk>/anschreiben/", views.handout_letter, name="handout_letter"),
    path("faelle/<int:pk>/id-pruefung/<slug:what>/", views.id_check, name="id_check"),
    path(
        "faelle/<int:pk>/arbeitspaket/<int:person_pk>/",
        views.arbeitspaket_received,
        name="arbeitspaket_received",
    ),
    path("kunden/", views.customer_search, name="customer_search"),
    path("kunden/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("kunden/<int:pk>/stammdaten/", views.customer_master_data, name="customer_master_data"),
]
