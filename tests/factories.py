"""factory_boy factories for the models of the platform."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from aims.accounts.models import User
from aims.core.choices import DecisionKind
from aims.core.models import Decision
from aims.governance.models import OrganisationProfile


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))


class OrganisationProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationProfile

    name = "Northwind Analytics"
    legal_name = "Northwind Analytics GmbH"
    sector = "finance"
    country = "DE"
    purpose = "Run AI responsibly in lending and customer service."
    aims_contact_email = "aims@northwind.test"


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    kind = DecisionKind.ORGANISATION_PROFILE
    subject_type = factory.LazyAttribute(lambda d: ContentType.objects.get_for_model(d.subject_obj))
    subject_id = factory.LazyAttribute(lambda d: str(d.subject_obj.pk))
    subject_version = "history:1"
    subject_label = factory.LazyAttribute(lambda d: str(d.subject_obj))
    requested_by = factory.SubFactory(UserFactory)

    class Params:
        subject_obj = factory.SubFactory(OrganisationProfileFactory)
