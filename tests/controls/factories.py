"""Factories for catalog rows, for tests that need a row or two rather than the whole loaded catalog."""

from __future__ import annotations

import factory

from controls.choices import FrameworkKind, ImplementationStatus, LinkStrength, RequirementKind
from controls.models import ControlImplementation, CrosswalkLink, Framework, Requirement
from tests.factories import UserFactory


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"framework-{n}")
    name = factory.LazyAttribute(lambda f: f"Framework {f.slug}")
    short_name = factory.LazyAttribute(lambda f: f.slug.upper())
    kind = FrameworkKind.STANDARD
    version = "test-1"


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    framework = factory.SubFactory(FrameworkFactory)
    ref = factory.Sequence(lambda n: f"R.{n}")
    kind = RequirementKind.CONTROL
    title = factory.Sequence(lambda n: f"Requirement {n}")
    text = "Paraphrase of what is asked."


class CrosswalkLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrosswalkLink

    from_requirement = factory.SubFactory(RequirementFactory)
    to_requirement = factory.SubFactory(RequirementFactory)
    strength = LinkStrength.PARTIAL
    source = "inferred"
    inferred = True
    reference = factory.LazyAttribute(lambda link: link.to_requirement.ref)


class ControlImplementationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ControlImplementation

    code = factory.Sequence(lambda n: f"CTL-{n:03d}")
    name = factory.Sequence(lambda n: f"Control {n}")
    description = "Done by the gateway on every request."
    owner = factory.SubFactory(UserFactory)
    status = ImplementationStatus.IMPLEMENTED
