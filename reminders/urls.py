from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("kunden/<int:pk>/einwilligung/", views.consent, name="consent"),
    path("kunden/<int:pk>/erinnerungssprache/", views.language, name="language"),
]
