"""Request body size limit for the API.

Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only when a view reads ``request.body`` or
``request.POST``; DRF's parsers read the stream directly and would take any size. This
middleware refuses a declared body over the limit before anything reads it.

A chunked body declares no length, and Django reads a request without ``Content-Length`` as
empty: ``chunked_bodies`` (around the WSGI application) reads such a body up to the limit first,
answering 413 past it, and hands Django the body with its length.
"""

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

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
            return JsonResponse(_too_large(limit), status=413, content_type=PROBLEM_CONTENT_TYPE)
        return self.get_response(request)


def _too_large(limit: int) -> dict[str, Any]:
    return problem(413, code="request_too_large", detail=f"The request body is over {limit} bytes.")


def chunked_bodies(application: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The WSGI ``application``, taking chunked request bodies up to ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def with_chunked_bodies(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            body = environ["wsgi.input"].read() if limit is None else environ["wsgi.input"].read(limit + 1)
            if limit is not None and len(body) > limit:
                answer = json.dumps(_too_large(limit)).encode()
                start_response(
                    "413 Content Too Large",
                    [("Content-Type", PROBLEM_CONTENT_TYPE), ("Content-Length", str(len(answer)))],
                )
                return [answer]
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return application(environ, start_response)

    return with_chunked_bodies
