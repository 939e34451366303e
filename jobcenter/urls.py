from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.healthz_live, name="healthz_live"),
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passwort/geaendert/", views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("verwaltung/", admin.site.urls),
    path("", include("intake.urls")),
    path("", include("minimumstandards.urls")),
    path("", include("routing.urls")),
    path("", include("frontdesk.urls")),
    path("", include("appointments.urls")),
]
