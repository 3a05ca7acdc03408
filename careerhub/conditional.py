"""Conditional requests: ETags, ``If-None-Match`` and ``If-Match``.

ETags (RFC 9110) let the mobile app revalidate what it cached (``If-None-Match``: 304 without
a body) and refuse to overwrite what changed since it read it (``If-Match``: 412, nothing
written). A view computes its ETag from cheap data that changes exactly when its
representation does (a row's ``updated_at``, an aggregate over its children, the learner's
local date), never from the body, so a 304 skips building the answer. The access check runs
first: another user's object stays a 404 whatever the headers say.
"""

import functools
import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from careerhub.exceptions import PROBLEM_CONTENT_TYPE
from careerhub.schema import ProblemSerializer


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "It changed since you read it (If-Match); nothing was written. Read it again, then retry."


def make_etag(*parts: Any, weak: bool = False) -> str:
    """A quoted ETag for ``parts``, values with a stable ``repr`` (numbers, strings, dates, tuples, lists)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f'W/"{digest}"' if weak else f'"{digest}"'


@functools.cache
def shape_of(serializer_class: type[serializers.BaseSerializer]) -> str:
    """The names and types of a serializer's fields, nested ones included.

    Part of every ETag, so a release that adds, drops or retypes a field changes the ETags and
    no client keeps a body of the old shape. (A release that only changes how a field is
    formatted must change the view's ETag parts itself.)
    """

    def shape(field: serializers.Field) -> Any:
        if isinstance(field, serializers.ListSerializer):
            return [shape(field.child)]
        if isinstance(field, serializers.Serializer):
            return [(name, shape(child)) for name, child in field.fields.items()]
        return type(field).__name__

    return make_etag(shape(serializer_class()))


def _opaque(etag: str) -> str:
    return etag.removeprefix("W/")


def conditional_response(request: Request, etag: str, render: Callable[[], Any]) -> Response:
    """The representation ``render()`` builds, with its ETag; or 304 without a body (and without
    calling ``render``) when ``If-None-Match`` names the ETag (weak comparison, as RFC 9110 asks)."""
    header = request.headers.get("If-None-Match")
    if header is not None and request.method in SAFE_METHODS:
        etags = parse_etags(header)
        if etags == ["*"] or _opaque(etag) in {_opaque(tag) for tag in etags}:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
    return Response(render(), headers={"ETag": etag})


def check_if_match(request: Request, current_etag: Callable[[], str]) -> None:
    """Raise 412 unless ``If-Match`` is absent (or blank), ``*``, or names the current ETag.

    The comparison is strong (RFC 9110): a weak ETag never matches, nor does an unquoted one.
    ``current_etag`` is only called when there is something to compare. Call this inside
    :func:`if_match_lock`, after the access check and the validation of the input (a request
    that fails those answers as it would without the header), before any write.
    """
    header = request.headers.get("If-Match", "")
    if not header.strip():
        return
    etags = parse_etags(header)
    if etags == ["*"]:
        return  # any current representation: the object exists, the access check said so
    etag = current_etag()
    if etag.startswith("W/") or etag not in etags:
        raise PreconditionFailed()


@contextmanager
def if_match_lock(request: Request, model: type[models.Model], pk: Any) -> Iterator[None]:
    """With ``If-Match``, run the block (read, check, write) in one transaction holding the row's lock.

    Two requests sending the same ETag then cannot both pass: the second one waits, reads
    the first one's change, and answers 412. Without the header, the block runs as it is.
    """
    if not request.headers.get("If-Match", "").strip():
        yield
        return
    with transaction.atomic():
        list(model._default_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))
        yield


# OpenAPI: ``@extend_schema(summary=..., **conditional_read(Serializer))``

ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 304],
    description="The representation's entity tag, quoted; send it back in If-None-Match (or If-Match to change it).",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of the copy you have: if it is still current, the answer is 304 without a body.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: if the object changed since, the answer is 412 and nothing is written.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the copy named in If-None-Match is current (no body).")
PRECONDITION_FAILED = OpenApiResponse(
    ProblemSerializer,
    description="`precondition_failed`: it changed since the ETag in If-Match was read; nothing was written.",
)


def conditional_read(response: Any) -> dict[str, Any]:
    return {"parameters": [IF_NONE_MATCH, ETAG_HEADER], "responses": {200: response, 304: NOT_MODIFIED}}


def conditional_write(response: Any) -> dict[str, Any]:
    return {
        "parameters": [IF_MATCH, ETAG_HEADER],
        "responses": {200: response, (412, PROBLEM_CONTENT_TYPE): PRECONDITION_FAILED},
    }
