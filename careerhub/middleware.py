"""The last word on errors: an error response that is not problem+json yet becomes one."""

import json
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from careerhub.exceptions import PROBLEM_CONTENT_TYPE, prefers_page, problem_for_status

API_PREFIX = "/api/"


def _has_json_body(response: HttpResponseBase) -> bool:
    media_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class ProblemMiddleware:
    """Give every error response without a JSON body a problem body, with the code its status names.

    DRF views and the project's error handlers answer problem+json already; this catches the rest:
    the empty 405 of a ``require_GET`` view or of whitenoise, Django's HTML 403 for a failed CSRF
    check, a plain view returning ``HttpResponseNotFound``. Status and headers (``Allow``,
    ``WWW-Authenticate``, cookies) are kept. A JSON body is a view's own design and stays (the
    readiness probe's 503). With DEBUG on, Django's technical pages stay outside the API (the
    admin's); under ``API_PREFIX`` the client cannot read them, so it gets the problem there too (the
    traceback is in the log). Put this first in ``MIDDLEWARE`` so it sees the answers of the other
    middleware too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        debug_page = settings.DEBUG and not request.path.startswith(API_PREFIX)
        if response.status_code < 400 or debug_page or _has_json_body(response) or prefers_page(request):
            return response
        body = json.dumps(problem_for_status(response.status_code, method=request.method or "")).encode()
        if response.streaming:
            response.streaming_content = [body]
        else:
            response.content = body
        response["Content-Type"] = PROBLEM_CONTENT_TYPE
        response["Content-Length"] = str(len(body))
        return response
