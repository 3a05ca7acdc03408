"""Request body size limit for the API.

Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a view reads ``request.body`` or
``request.POST``; DRF's parsers read the stream directly and would take any size. This
middleware refuses a declared body over the limit before anything reads it.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from careerhub.exceptions import PROBLEM_CONTENT_TYPE, problem


class RequestSizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            body = problem(413, code="request_too_large", detail=f"The request body is over {limit} bytes.")
            return JsonResponse(body, status=413, content_type=PROBLEM_CONTENT_TYPE)
        return self.get_response(request)
