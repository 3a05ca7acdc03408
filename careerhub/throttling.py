"""Rate limits: DRF throttles counted in the default cache (Redis when ``REDIS_URL`` is set, so
every web process shares the counts), at the rates of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.

When the cache cannot be reached the request is let through uncounted (and a warning logged):
an outage of Redis must not take the API down with it, and the database behind the API stays
protected by its own limits meanwhile.

This module is named in the settings and imported while DRF itself loads: it must not import
views or drf-spectacular.
"""

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from careerhub.cache import RedisCache

logger = logging.getLogger(__name__)

CACHE_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class _RatesFromSettings:
    """DRF reads the rates once, at import; these read them on each request, so an override of
    the settings (a test's) takes effect."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        return api_settings.DEFAULT_THROTTLE_RATES


def open_when_cache_is_down(answer: Any, what: str | Callable[..., str]):
    """While the cache (Redis) cannot be reached, a counter is not applied rather than every
    request refused: the wrapped function answers ``answer`` and the outage is logged as
    ``what`` (or what it answers for the call's arguments)."""

    def decorate(function):
        @functools.wraps(function)
        def counted(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except CACHE_UNREACHABLE as error:
                label = what(*args, **kwargs) if callable(what) else what
                logger.warning("%s, the cache is unreachable: %s", label, error)
                return answer

        return counted

    return decorate


class _OpenWhenCacheIsDown:
    @open_when_cache_is_down(True, lambda self, *args: f"rate limit {getattr(self, 'scope', None)} not counted")
    def allow_request(self, request: Request, view: Any) -> bool:
        return super().allow_request(request, view)


# DRF's sliding window as a sorted set of request times: drop those older than the window, and
# add this request's unless the window is full. Answers nothing when the request may go, else
# the count and the oldest time in the window.
SLIDING_WINDOW = """
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= tonumber(ARGV[3]) then
    return {count, redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2]}
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('EXPIRE', KEYS[1], window)
return false
"""


class _OneRoundTripOnRedis:
    """Counted by a script in Redis, in one round trip where DRF takes two (it reads the history,
    then writes it back) and atomically: two requests at once cannot both take the last place.
    With another cache (the demo's files), DRF counts."""

    _refused: tuple[int, float] | None = None

    def allow_request(self, request: Request, view: Any) -> bool:
        cache = caches["default"]
        if self.rate is None or not isinstance(cache, RedisCache):
            return super().allow_request(request, view)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        client = cache.client(write=True)
        refused = client.register_script(SLIDING_WINDOW)(
            keys=[cache.make_and_validate_key(f"{self.key}_window")],
            args=[self.now, self.duration, self.num_requests, uuid.uuid4().hex],
        )
        if not refused:
            return True
        count, oldest = refused
        self._refused = (int(count), float(oldest))
        return self.throttle_failure()

    def wait(self) -> float | None:
        """DRF's answer for its history, from the count and the oldest time in the window."""
        if self._refused is None:
            return super().wait()
        count, oldest = self._refused
        available = self.num_requests - count + 1
        return (self.duration - (self.now - oldest)) / available if available > 0 else None


class ScopedThrottle(_RatesFromSettings, _OpenWhenCacheIsDown, ScopedRateThrottle):
    """For views naming a ``throttle_scope``: counted per user when logged in, else per client IP."""


class WriteThrottle(_RatesFromSettings, _OpenWhenCacheIsDown, _OneRoundTripOnRedis, SimpleRateThrottle):
    """Every POST, PUT, PATCH and DELETE of a logged-in user, counted per user (scope ``writes``)."""

    scope = "writes"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
