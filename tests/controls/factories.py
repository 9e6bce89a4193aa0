"""Factories for catalog rows, for tests that need a row or two rather than the whole loaded catalog."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from controls.choices import FrameworkKind, ImplementationStatus, LinkStrength, RequirementKind
from controls.models import ControlImplementation, CrosswalkLink, Framework, Requirement, SoAEntry, SoAVersion
from controls.services import number_approved_versions
from evidence.models import ArtifactFile, EvidenceArtifact
from tests.factories import DecisionFactory, UserFactory


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


class SoAEntryFactory(factory.django.DjangoModelFactory):
    """A draft SoA row for an Annex A-like control, justified."""

    class Meta:
        model = SoAEntry

    requirement = factory.SubFactory(RequirementFactory)
    applies = True
    justification = "Needed to treat the risks of the register."


def frozen_soa(*, requested_by: Any, approved_by: Any = None, rows: list[dict] | None = None) -> SoAVersion:
    """An SoA version as `request_soa_approval` makes it, optionally approved (without going through the draft)."""
    rows = rows if rows is not None else [_row("A.1", "Included.")]
    version = SoAVersion(snapshot={"rows": rows}, snapshot_sha256="0" * 64, requested_by=requested_by)
    version.save()
    decision = DecisionFactory(
        kind=DecisionKind.SOA_VERSION, subject_obj=version, subject_version="0" * 64, requested_by=requested_by
    )
    SoAVersion.objects.filter(pk=version.pk).update(decision=decision)
    if approved_by is not None:
        Decision.objects.filter(pk=decision.pk).update(
            status=DecisionStatus.APPROVED, decided_by=approved_by, decided_at=timezone.now()
        )
        number_approved_versions()
    return SoAVersion.objects.get(pk=version.pk)


def _row(ref: str, justification: str, *, applies: bool = True) -> dict[str, Any]:
    return {
        "key": ref,
        "ref": ref,
        "title": f"Control {ref}",
        "added": False,
        "applies": applies,
        "justification": justification,
        "implementation_status": "implemented",
        "owner": "",
        "implementations": [],
    }


PDF_BYTES = b"%PDF-1.4\n%test\n"


def stored_artifact_file(user: Any, *, name: str = "evidence.pdf", content: bytes = PDF_BYTES) -> ArtifactFile:
    """An artifact with one stored file, written where the service would write it (MEDIA_ROOT/evidence/)."""
    artifact = EvidenceArtifact.objects.create(
        title="Review minutes",
        effective_on=timezone.localdate() - timedelta(days=10),
        expires_on=timezone.localdate() + timedelta(days=100),
        uploaded_by=user,
    )
    stored = ArtifactFile(
        artifact=artifact,
        original_name=name,
        size=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    stored.file.save("upload", ContentFile(content), save=False)
    stored.save()
    return stored
