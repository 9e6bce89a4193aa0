"""One FilterSet per record list, shared by the HTML page and the API: filter by the record's states, kinds,
owners and parent (generated from resources.py, so every list filters the same way)."""

from __future__ import annotations

from functools import cache

import django_filters
from django.db import models

from aims.governance.resources import Resource

# Fields a list is filtered by, when the record has them.
FILTER_FIELDS = ("status", "kind", "severity", "grade", "source", "serious", "direction", "responsibility")
PEOPLE_FIELDS = ("owner", "person")


@cache
def filterset_for(resource: Resource) -> type[django_filters.FilterSet]:
    model = resource.model
    names = {f.name for f in model._meta.fields}
    fields = [n for n in FILTER_FIELDS if n in names]
    if resource.parent:
        fields.append(resource.parent)
    attrs: dict[str, object] = {}
    for person in PEOPLE_FIELDS:
        if person in names:
            # By username, as the API names people everywhere else.
            attrs[person] = django_filters.CharFilter(field_name=f"{person}__username", label=person)
    for name in fields:
        field = model._meta.get_field(name)
        if isinstance(field, models.BooleanField):
            attrs[name] = django_filters.BooleanFilter(field_name=name)
    meta = type("Meta", (), {"model": model, "fields": fields})
    return type(f"{model.__name__}FilterSet", (django_filters.FilterSet,), {"Meta": meta, **attrs})
