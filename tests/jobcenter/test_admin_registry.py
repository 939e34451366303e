"""Every registered ModelAdmin keeps each Jobcenter to itself: rows, choices, hidden fields.

Walks `admin.site._registry`, so an admin added later is held to the same rules without a
test of its own. The world (tests/url_permissions_world.py) holds one row of every admin's
model for the first Jobcenter and a second Jobcenter of the same shape.
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import RequestFactory

from jobcenter.admin import AdministrationAdmin, jobcenter_path_of
from jobcenter.models import Jobcenter
from jobcenter.roles import Role
from tests.url_permissions_world import build

# Installation data with no Jobcenter: choices of it are not a Jobcenter's to limit.
SHARED_MODELS = {ContentType}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _request(user):
    request = RequestFactory().get("/verwaltung/")
    request.user = user
    return request


def _assert_all_of(queryset, jobcenter: Jobcenter, what: str) -> None:
    model = queryset.model
    if model in SHARED_MODELS:
        return
    path = jobcenter_path_of(model)
    assert path is not None, f"{what}: {model._meta.label} has no way to its Jobcenter"
    foreign = queryset.exclude(pk__in=model._default_manager.filter(**{path: jobcenter.pk}))
    assert not foreign.exists(), f"{what} offers another Jobcenter's {model._meta.label}"


def test_every_registered_admin_has_a_path_to_the_jobcenter(world):
    administration = _request(world.actors[Role.ADMINISTRATION])
    for model, model_admin in admin.site._registry.items():
        if model._meta.label == "auth.Group" or model._meta.app_label == "axes":
            # The installation's: not shown to a Jobcenter's administration at all.
            assert not model_admin.has_module_permission(administration), model
            continue
        assert isinstance(model_admin, AdministrationAdmin), model
        path = model_admin.get_jobcenter_path()
        assert path, model
        if path != "pk":
            last = get_fields_from_path(model, path)[-1]
            assert last.related_model is Jobcenter, (model, path)


@pytest.mark.django_db
def test_every_registered_admin_scopes_its_rows_and_choices(world):
    ours = world.actors[Role.ADMINISTRATION]
    theirs = world.actors[f"{Role.ADMINISTRATION}:other_jc"]
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, AdministrationAdmin):
            continue
        label = model._meta.label_lower
        obj = world.admin_objects.get(label)
        own_rows = model_admin.get_queryset(_request(ours))
        other_rows = model_admin.get_queryset(_request(theirs))
        if obj is not None:
            assert own_rows.filter(pk=obj.pk).exists(), f"{label}: own row hidden from its admin"
            assert not other_rows.filter(pk=obj.pk).exists(), f"{label}: shown to another Jobcenter"
        request = _request(theirs)
        form_classes = [(label, model_admin.get_form(request, None))]
        if obj is not None and model_admin.has_change_permission(request):
            form_classes.append((f"{label} change", model_admin.get_form(request, obj)))
        for inline in model_admin.get_inline_instances(request, None):
            form_classes.append((f"{label} inline", inline.get_formset(request, None).form))
        for what, form_class in form_classes:
            for name, field in form_class.base_fields.items():
                assert name not in ("jobcenter", "is_superuser", "groups", "user_permissions"), (
                    what,
                    name,
                )
                queryset = getattr(field, "queryset", None)
                if queryset is not None:
                    _assert_all_of(queryset, theirs.jobcenter, f"{what}.{name}")
