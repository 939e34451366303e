"""A URL configuration for the error-page test: one view that fails."""

from django.urls import include, path


def boom(request):
    raise RuntimeError("Erika Mustermann 01.02.1980")


urlpatterns = [path("boom/", boom), path("", include("jobcenter.urls"))]
