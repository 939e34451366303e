"""factory-boy factories for the organisation and the intake records."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from intake.models import Antrag, DocumentType
from intake.services import IntakeData, PersonData, antrag_register
from jobcenter.models import Jobcenter, Postfach, Team, User
from jobcenter.roles import Role
from jobcenter.seeding import seed_new_jobcenter

PASSWORD = "geheim-und-lang-2026"


class JobcenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jobcenter
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Jobcenter Test {n}")
    slug = factory.Sequence(lambda n: f"jc-{n}")
    bundesland = "NW"
    dienststelle = factory.Sequence(lambda n: f"{96200 + n:05d}")
    kundennummer_prefix = factory.Sequence(lambda n: f"{900 + n % 99:03d}D")

    @factory.post_generation
    def catalogues(self, create, extracted, **kwargs):
        """A Jobcenter starts with the default catalogues, as one created in the admin does.

        `JobcenterFactory(catalogues=False)` makes one without them."""
        if create and extracted is not False:
            seed_new_jobcenter(self)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    jobcenter = factory.SubFactory(JobcenterFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.LEISTUNG
    postfach = factory.RelatedFactory(
        "tests.factories.PostfachFactory", factory_related_name="team"
    )


class PostfachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postfach

    name = factory.LazyAttribute(lambda o: f"Postfach {o.team.name}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    jobcenter = factory.SubFactory(JobcenterFactory)
    role = Role.EINGANGSZONE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


def seed_catalogues() -> None:
    """Every Jobcenter's default catalogues, put back if a transactional test emptied them."""
    for jobcenter in Jobcenter.objects.all():
        seed_new_jobcenter(jobcenter)


def person(first="Erika", last="Mustermann", born=date(1985, 3, 27), **kwargs) -> PersonData:
    return PersonData(first_name=first, last_name=last, date_of_birth=born, **kwargs)


def intake_data(*, leistung_team, persons=None, jobcenter=None, **kwargs) -> IntakeData:
    today = timezone.localdate()
    # The checklist offered is the Jobcenter's own.
    if jobcenter is None and leistung_team is not None:
        jobcenter = leistung_team.jobcenter
    documents = DocumentType.objects.filter(jobcenter=jobcenter) if jobcenter else []
    defaults = {
        "kind": Antrag.Kind.ERSTANTRAG,
        "channel": Antrag.Channel.PERSONAL,
        "application_date": today,
        "reason": "Arbeitslosigkeit nach Kündigung",
        "return_date": today + timedelta(days=14),
        "id_checked": True,
        "leistung_team": leistung_team,
        "persons": [person(is_head=True)] if persons is None else persons,
        "documents": list(documents[:3]),
    }
    defaults.update(kwargs)
    return IntakeData(**defaults)


def register(*, actor, leistung_team, **kwargs) -> Antrag:
    return antrag_register(
        actor=actor,
        jobcenter=actor.jobcenter,
        data=intake_data(leistung_team=leistung_team, jobcenter=actor.jobcenter, **kwargs),
    )


def settle_checklist(antrag) -> None:
    """Every checklist item handed in today: what "documents complete" needs (R-AN-01)."""
    antrag.nachweise.update(received_on=timezone.localdate())


def completes_documents(name: str, params: dict) -> bool:
    return name == "confirm_documents_complete" or bool(params.get("documents_complete"))
