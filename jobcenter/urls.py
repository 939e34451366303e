from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from appointments.customer_views import customer_link_page
from routing.api import urlpatterns as api_urlpatterns

from . import health, sso, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/live", health.healthz_live, name="healthz_live"),
    path("anmelden/", views.LoginView.as_view(), name="login"),
    path("abmelden/", views.logout, name="logout"),
    # OpenID Connect (404 unless configured): the login button and the provider's answer.
    path(
        "anmelden/sso/",
        login_not_required(sso.OIDCStartView.as_view()),
        name="oidc_authentication_init",
    ),
    path(
        "anmelden/sso/antwort/",
        login_not_required(sso.OIDCCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path("passwort/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "passwort/geaendert/", views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("verwaltung/", admin.site.urls),
    # The ticket API for other systems, with its OpenAPI schema at /api/v1/openapi.json.
    path("api/v1/", api_urlpatterns()),
    # The customer's page behind the letter's QR code (appointments.customer_codes builds
    # the address: PUBLIC_BASE_URL/t/<token>/): no login, the signed token is the key.
    path("t/<str:link_token>/", customer_link_page, name="customer_link"),
    path("", include("intake.urls")),
    path("", include("minimumstandards.urls")),
    path("", include("routing.urls")),
    path("", include("frontdesk.urls")),
    path("", include("appointments.urls")),
    path("", include("privacy.urls")),
    path("", include("reminders.urls")),
]
