"""One shape for every error: RFC 9457 problem details with a stable ``code``.

Services raise :class:`ApplicationError` (or Django's ``ValidationError``); the handler
below and the project-level 404/500 views turn everything into ``application/problem+json``.
"""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

PROBLEM_CONTENT_TYPE = "application/problem+json"


class ApplicationError(Exception):
    """A rule of the application was broken; ``code`` names the rule."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.extra = extra or {}


def problem(status_code: int, *, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "code": code,
        "detail": detail,
        **extra,
    }


def flatten_errors(detail: Any, path: str = "") -> list[dict[str, str]]:
    """Turn DRF's nested error detail into a flat list of ``{field, code, detail}``."""
    if isinstance(detail, dict):
        items: list[dict[str, str]] = []
        for key, value in detail.items():
            if isinstance(key, int):  # errors of item ``key`` of a list
                field = f"{path}[{key}]"
            elif key in ("non_field_errors", "__all__"):
                field = path
            else:
                field = f"{path}.{key}" if path else str(key)
            items.extend(flatten_errors(value, field))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                items.extend(flatten_errors(value, f"{path}[{index}]"))
            else:
                items.extend(flatten_errors(value, path))
        return items
    return [{"field": path, "code": getattr(detail, "code", "invalid"), "detail": str(detail)}]


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(body, status=body["status"], headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        return _problem_response(problem(exc.status_code, code=exc.code, detail=exc.message, **exc.extra))
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: let Django log it and answer through handler500

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            exc.status_code,
            code="validation_error",
            detail="The request has invalid fields.",
            errors=flatten_errors(exc.detail),
        )
    else:
        code, detail = _code_and_detail(exc)
        body = problem(exc.status_code, code=code, detail=detail)
    return _problem_response(body, headers)


def _code_and_detail(exc: exceptions.APIException) -> tuple[str, str]:
    detail = exc.detail
    if isinstance(detail, dict):  # simplejwt: {"detail": ..., "code": ..., "messages": [...]}
        return str(detail.get("code") or exc.default_code), str(detail.get("detail") or exc.default_detail)
    if isinstance(detail, list):
        return exc.default_code, " ".join(str(item) for item in detail)
    return str(getattr(detail, "code", None) or exc.default_code), str(detail)


def _json_problem(status_code: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(
        problem(status_code, code=code, detail=detail),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def bad_request(request, exception=None) -> JsonResponse:
    return _json_problem(400, "bad_request", "The request could not be understood.")


def permission_denied(request, exception=None) -> JsonResponse:
    return _json_problem(403, "permission_denied", "You do not have permission to perform this action.")


def not_found(request, exception=None) -> JsonResponse:
    return _json_problem(404, "not_found", "Not found.")


def server_error(request) -> JsonResponse:
    return _json_problem(500, "server_error", "An unexpected error occurred; it has been logged.")
