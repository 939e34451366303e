from django.urls import path

from . import fristenrechner, views

app_name = "minimumstandards"

urlpatterns = [
    path("fristenrechner/", fristenrechner.fristenrechner_view, name="fristenrechner"),
    path("fristen/", views.dashboard, name="dashboard"),
    path("fristen/live/", views.dashboard_live, name="dashboard_live"),
    path("fristen/liste/", views.deadline_list, name="deadline_list"),
    path("fristen/prognose/", views.forecast, name="forecast"),
    path("fristen/export.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("fristen/monatsbericht/", views.monthly_report_download, name="monthly_report"),
    path("fristen/<int:pk>/anhalten/", views.deadline_pause_view, name="deadline_pause"),
    path("fristen/<int:pk>/fortsetzen/", views.deadline_resume_view, name="deadline_resume"),
]
