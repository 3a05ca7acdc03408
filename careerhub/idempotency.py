"""``Idempotency-Key`` for the mobile app's retries (any POST, PUT or PATCH of a logged-in user).

The same key with the same request replays the first answer exactly, without running the
request again; with another request it answers 422; while the first is still running, 409.
Keys are per user and kept for ``IDEMPOTENCY_KEY_TTL``. Server errors are not kept, so a retry
after a 5xx runs again.
"""

import hashlib
import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import IdempotencyKey
from careerhub.exceptions import PROBLEM_CONTENT_TYPE, problem

HEADER = "HTTP_IDEMPOTENCY_KEY"
METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_KEY_LENGTH = 255
# Printable ASCII (a UUID, a ULID, any token), as the schema declares it.
KEY_PATTERN = re.compile(f"[ -~]{{1,{MAX_KEY_LENGTH}}}")
# A request still "in flight" after this long died with its process; its key may be used again.
ABANDONED_AFTER = timedelta(minutes=2)
REPLAYED_HEADERS = ("ETag", "Location", "Retry-After")


def _problem(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(problem(status, code=code, detail=detail), status=status, content_type=PROBLEM_CONTENT_TYPE)


def _handles(request: HttpRequest) -> bool:
    """Whether a view exists for this path and method (else the key plays no part)."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    view_class = getattr(match.func, "view_class", None)
    return view_class is None or hasattr(view_class, request.method.lower())


def _user_of(request: HttpRequest):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        authenticated = JWTAuthentication().authenticate(request)
    except AuthenticationFailed:
        # A bad, revoked or outdated token, or a deleted or inactive user: the view answers 401 itself.
        return None
    return authenticated[0] if authenticated else None


def _claim(user, key: str, request_hash: str) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """(claimed, existing): the new in-flight row, or the row another request already holds."""
    for _ in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, key=key, request_hash=request_hash), None
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
            if existing is None:
                continue  # deleted in between: try again
            expired = existing.created_at < timezone.now() - settings.IDEMPOTENCY_KEY_TTL
            abandoned = (
                existing.state == IdempotencyKey.State.IN_FLIGHT
                and existing.created_at < timezone.now() - ABANDONED_AFTER
            )
            if not (expired or abandoned):
                return None, existing
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
    return None, IdempotencyKey.objects.get(user=user, key=key)


class IdempotencyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.META.get(HEADER)
        if key is None or request.method not in METHODS or not _handles(request):
            return self.get_response(request)  # the view answers 404 or 405 itself
        if not KEY_PATTERN.fullmatch(key):
            return _problem(
                400,
                "invalid_idempotency_key",
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            )
        user = _user_of(request)
        if user is None:
            return self.get_response(request)

        request_hash = hashlib.sha256(
            b"\n".join([request.method.encode(), request.get_full_path().encode(), request.body])
        ).hexdigest()
        claimed, existing = _claim(user, key, request_hash)
        if existing is not None:
            if existing.request_hash != request_hash:
                return _problem(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request.")
            if existing.state == IdempotencyKey.State.IN_FLIGHT:
                return _problem(409, "request_in_flight", "A request with this Idempotency-Key is still running.")
            replay = HttpResponse(
                bytes(existing.response_body),
                status=existing.response_status,
                content_type=existing.response_content_type or None,
            )
            for name, value in existing.response_headers.items():
                replay[name] = value
            replay["Idempotent-Replayed"] = "true"
            return replay

        try:
            response = self.get_response(request)
        except BaseException:
            claimed.delete()
            raise
        if response.status_code >= 500 or response.streaming:
            claimed.delete()
            return response
        # An update, not a save: the request may have deleted the key with its user (account deletion).
        IdempotencyKey.objects.filter(pk=claimed.pk).update(
            state=IdempotencyKey.State.DONE,
            response_status=response.status_code,
            response_content_type=response.get("Content-Type", ""),
            response_body=response.content,
            response_headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
        )
        return response
