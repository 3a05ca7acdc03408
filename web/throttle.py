"""The API's rate limits on the web app's forms: a page posting to the same service counts in
the same bucket (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``), so the browser is no way around
the API's limits."""

import math

from django.http import HttpRequest

from careerhub.throttling import ScopedThrottle


class _Scoped:
    """What DRF's scoped throttle reads from a view."""

    def __init__(self, scope: str) -> None:
        self.throttle_scope = scope


def throttle_wait(request: HttpRequest, scope: str) -> int:
    """Count this request in ``scope``; seconds to wait when over the limit, else 0."""
    throttle = ScopedThrottle()
    if throttle.allow_request(request, _Scoped(scope)):
        return 0
    return max(1, math.ceil(throttle.wait() or 1))
