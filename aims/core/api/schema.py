"""OpenAPI generation that documents the error shape for every 4xx an operation can return."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework.permissions import AllowAny

from aims.core.api.serializers import ErrorSerializer

_DESCRIPTIONS = {
    "400": "Invalid input or query.",
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found.",
    "409": "The subject is not in a state that allows this.",
    "413": "The request body is too large.",
    "415": "Unsupported media type.",
    "429": "Too many requests.",
}


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses implied by the view: auth, permissions, path ids, bodies and filters."""

    def error_codes(self) -> set[str]:
        codes = {"400"}  # malformed query strings (NUL bytes, bad filters) are refused on every operation
        permission_classes = getattr(self.view, "permission_classes", [])
        if not all(cls is AllowAny for cls in permission_classes):
            codes |= {"401", "403"}
        if "{" in self.path or self.method == "GET":
            codes.add("404")  # unknown id, an unknown object named in the query, or a page past the end
        if self.method in {"POST", "PUT", "PATCH"}:
            codes |= {"413", "415"}
        if getattr(self.view, "throttle_classes", None):
            codes.add("429")
        codes |= set(getattr(self.view, "extra_error_codes", {}).get(self.method, ()))
        return codes

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        # A read-only field that reads through a nullable column or relation (`owner.username` of a system
        # without owner) answers null; say so in the schema rather than on every serializer by hand.
        if field.read_only and not getattr(field, "allow_null", False) and _source_may_be_null(field):
            field.allow_null = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code in sorted(self.error_codes()):
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = _DESCRIPTIONS.get(code, "Error.")
                responses[code] = response
        return responses


def _source_may_be_null(field: Any) -> bool:
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or [field.field_name]
    for attr in attrs:
        if model is None:
            return False
        try:
            model_field = model._meta.get_field(attr)
        except Exception:
            return False
        if getattr(model_field, "null", False):
            return True
        model = getattr(model_field, "related_model", None)
    return False
