"""OpenAPI: every operation documents the problem+json errors it can answer."""

import re

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.throttling import ScopedRateThrottle

from careerhub.converters import BIGINT_MAX
from careerhub.exceptions import PROBLEM_CONTENT_TYPE
from careerhub.idempotency import KEY_PATTERN, MAX_KEY_LENGTH
from careerhub.idempotency import METHODS as IDEMPOTENT_METHODS
from careerhub.throttling import WriteThrottle

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": f"^{KEY_PATTERN.pattern}$"},
    OpenApiParameter.HEADER,
    required=False,
    description=(
        f"1 to {MAX_KEY_LENGTH} printable ASCII characters, unique per request of yours: a retry with the same key "
        "and body answers the first response again (header `Idempotent-Replayed: true`) without repeating the work; "
        "409 while the first is still running; kept 24 hours."
    ),
)


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the field; empty for the whole request.")
    code = serializers.CharField()
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    code = serializers.CharField(help_text="Stable, machine-readable name of the error or of the rule broken.")
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False, help_text="Validation errors only.")


ERRORS = {
    "400": "Invalid input (`validation_error`) or a broken rule named by `code`.",
    "401": "Not logged in, or the token is not valid.",
    "403": "Logged in but not allowed: a mentor changing a mentee's objects, or an action for mentors or staff.",
    "404": "No such object, or not yours.",
    "409": "The object's state does not allow it (the rule is named by `code`).",
    "415": "The body's `Content-Type` is not one this operation reads (`unsupported_media_type`).",
    "422": "The `Idempotency-Key` was already used for a different request (`idempotency_key_reused`).",
    "429": "Too many requests (`throttled`): retry after the seconds in `Retry-After`.",
}
LIST_NOT_FOUND = "the `cursor` is not one this list gave out."
RETRY_AFTER = {
    "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before sending it again."}
}


ID_PARAMETER = re.compile(r"<id:(\w+)>")


def _blank_in_model(field: serializers.Field) -> bool:
    """Whether a model-backed string field may hold "" (``blank=True``)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        model_field = model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return False
    return model_field.blank and isinstance(model_field, models.CharField | models.TextField)


class ProblemAutoSchema(AutoSchema):
    def _map_basic_serializer(self, serializer, direction):
        # DRF drops ``allow_blank`` from read-only fields, so a blank URL, email or choice read back
        # ("evidence_url": "") would break the documented format or enum: give it back, as
        # drf-spectacular documents writable blank fields (an empty string beside the format).
        for field in serializer.fields.values():
            strings = isinstance(field, serializers.CharField | serializers.ChoiceField)
            if strings and field.read_only and not field.allow_blank and _blank_in_model(field):
                field.allow_blank = True
        return super()._map_basic_serializer(serializer, direction)

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        ids = set(ID_PARAMETER.findall(self.path_regex))
        for parameter in parameters:
            if parameter["name"] in ids:  # careerhub.converters.IdConverter: a bigint key
                parameter["schema"] = {"type": "integer", "format": "int64", "minimum": 1, "maximum": BIGINT_MAX}
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        permissions = self.view.get_permissions()
        public = any(isinstance(permission, AllowAny) for permission in permissions)
        # Beyond "logged in" (IsMentor, IsAdminUser): refused with 403 whatever the method.
        restricted = any(type(permission) not in (AllowAny, IsAuthenticated) for permission in permissions)
        writes = self.method not in SAFE_METHODS
        paginated_list = not writes and self._is_list_view() and isinstance(self._get_paginator(), CursorPagination)
        descriptions = dict(ERRORS)
        codes = ["400"]
        if not public:
            codes.append("401")
        if permissions and not public and (writes or restricted):  # the token views check no permission
            codes.append("403")
        if "{" in self.path or paginated_list:
            codes.append("404")
            if paginated_list:
                descriptions["404"] = (
                    f"No such object, or not yours; or {LIST_NOT_FOUND}"
                    if "{" in self.path
                    else (LIST_NOT_FOUND[0].upper() + LIST_NOT_FOUND[1:])
                )
        if writes and not public:
            codes.append("409")
        if self._idempotent():
            codes.append("422")
        if writes and self.get_request_serializer() is not None:
            codes.append("415")
        if self._throttled(writes):
            codes.append("429")
        for code in codes:
            problem = self._get_response_for_code(ProblemSerializer, code, [PROBLEM_CONTENT_TYPE])
            if code not in responses:
                responses[code] = {**problem, "description": descriptions[code]}
            elif "content" not in responses[code]:  # a view described it in words only
                responses[code]["content"] = problem["content"]
            if code == "429":
                responses[code].setdefault("headers", RETRY_AFTER)
        return responses

    def _idempotent(self) -> bool:
        """POST, PUT and PATCH of a logged-in user take an Idempotency-Key (careerhub.idempotency)."""
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        return self.method in IDEMPOTENT_METHODS and not public

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._idempotent():
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _throttled(self, writes: bool) -> bool:
        """Whether a throttle of the view may refuse this operation (careerhub.throttling)."""
        for throttle in self.view.get_throttles():
            if isinstance(throttle, WriteThrottle) and writes:
                return True
            if isinstance(throttle, ScopedRateThrottle) and getattr(self.view, "throttle_scope", None):
                return True
        return False
