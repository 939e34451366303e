from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from routing.api import urlpatterns as api_urlpatterns

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passwort/geaendert/", views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("verwaltung/", admin.site.urls),
    # The ticket API for other systems, with its OpenAPI schema at /api/v1/openapi.json.
    path("api/v1/", api_urlpatterns()),
    path("", include("intake.urls")),
    path("", include("minimumstandards.urls")),
    path("", include("routing.urls")),
    path("", include("frontdesk.urls")),
    path("", include("appointments.urls")),
    path("", include("privacy.urls")),
]
