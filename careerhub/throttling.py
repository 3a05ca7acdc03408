"""Rate limits: DRF throttles counted in the default cache (Redis when ``REDIS_URL`` is set, so
every web process shares the counts), at the rates of ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``.

This module is named in the settings and imported while DRF itself loads: it must not import
views or drf-spectacular.
"""

from typing import Any

from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle


class _RatesFromSettings:
    """DRF reads the rates once, at import; these read them on each request, so an override of
    the settings (a test's) takes effect."""

    @property
    def THROTTLE_RATES(self) -> dict[str, str | None]:
        return api_settings.DEFAULT_THROTTLE_RATES


class ScopedThrottle(_RatesFromSettings, ScopedRateThrottle):
    """For views naming a ``throttle_scope``: counted per user when logged in, else per client IP."""


class WriteThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Every POST, PUT, PATCH and DELETE of a logged-in user, counted per user (scope ``writes``)."""

    scope = "writes"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.method in SAFE_METHODS or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
