"""One shape for every error: RFC 9457 problem details with a stable ``code``.

Services raise :class:`ApplicationError` (or Django's ``ValidationError``); the handler
below turns everything a DRF view raises into ``application/problem+json``, the project-level
400/403/404/500 views and :func:`csrf_failure` do the same for Django, and
:class:`careerhub.middleware.ProblemMiddleware` converts whatever error response is left
(a plain Django view's empty 405, for instance).
"""

from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
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


# Errors that Django, a plain view or a middleware answers without a code of their own: the status
# decides the code. The names are DRF's (not_found, method_not_allowed, ...): one status, one code.
STATUS_PROBLEMS = {
    400: ("bad_request", "The request could not be understood."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    406: ("not_acceptable", "Could not satisfy the request Accept header."),
    410: ("gone", "Gone."),
    413: ("request_too_large", "The request is too large."),
    415: ("unsupported_media_type", "Unsupported media type in request."),
    429: ("throttled", "Request was throttled."),
    500: ("server_error", "An unexpected error occurred; it has been logged."),
    502: ("bad_gateway", "The service is unavailable; try again later."),
    503: ("service_unavailable", "The service is unavailable; try again later."),
    504: ("gateway_timeout", "The service is unavailable; try again later."),
}


def _title(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:  # a status the standard does not name
        return "Client Error" if status_code < 500 else "Server Error"


def problem(status_code: int, *, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": _title(status_code),
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


def problem_for_status(status_code: int, *, method: str = "") -> dict[str, Any]:
    """The problem for an error that came without one."""
    default = ("client_error", "The request failed.") if status_code < 500 else STATUS_PROBLEMS[500]
    code, detail = STATUS_PROBLEMS.get(status_code, default)
    if status_code == 405 and method:
        detail = f'Method "{method}" not allowed.'
    return problem(status_code, code=code, detail=detail)


class ProblemResponse(Response):
    """Always rendered as JSON, whatever the view negotiated (the schema view's YAML, the browsable API)."""

    @property
    def rendered_content(self) -> bytes:
        self.accepted_renderer = JSONRenderer()
        self.accepted_media_type = PROBLEM_CONTENT_TYPE
        return super().rendered_content


def _problem_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = ProblemResponse(body, status=body["status"], headers=headers)
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


def _json_problem(body: dict[str, Any]) -> JsonResponse:
    return JsonResponse(body, status=body["status"], content_type=PROBLEM_CONTENT_TYPE)


def prefers_page(request) -> bool:
    """A page of the web app (its URL namespace is ``web``), or a person's browser outside the API:
    its errors are the web app's pages, not problem+json. Clients that do not ask for HTML (the
    apps, curl, the API's callers) get problem+json everywhere else."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "web":
        return True
    path = getattr(request, "path", "")
    return not path.startswith(("/api/", "/health/")) and "text/html" in request.headers.get("Accept", "")


def bad_request(request, exception=None) -> JsonResponse:
    return _json_problem(problem_for_status(400))


def permission_denied(request, exception=None) -> JsonResponse:
    return _json_problem(problem_for_status(403))


def not_found(request, exception=None) -> JsonResponse:
    return _json_problem(problem_for_status(404))


def server_error(request) -> JsonResponse:
    return _json_problem(problem_for_status(500))


def csrf_failure(request, reason: str = "") -> JsonResponse:
    """``CSRF_FAILURE_VIEW``: a form post (the admin's, a plain view's) without a valid CSRF token."""
    return _json_problem(problem(403, code="csrf_failed", detail=f"CSRF verification failed. {reason}".strip()))
