"""OpenAPI: every operation documents the problem+json errors it can answer."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from careerhub.exceptions import PROBLEM_CONTENT_TYPE


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
    "404": "No such object, or not yours.",
    "409": "The object's state does not allow it (the rule is named by `code`).",
}


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        codes = ["400"]
        if not public:
            codes.append("401")
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH") and not public:
            codes.append("409")
        for code in codes:
            problem = self._get_response_for_code(ProblemSerializer, code, [PROBLEM_CONTENT_TYPE])
            if code not in responses:
                responses[code] = {**problem, "description": ERRORS[code]}
            elif "content" not in responses[code]:  # a view described it in words only
                responses[code]["content"] = problem["content"]
        return responses
