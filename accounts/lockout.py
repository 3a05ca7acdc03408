"""Login lockout: too many failed logins lock the account (by email) and the client IP for a while.

Counted in the default cache (Redis in production, shared by every web process). The lock
applies to addresses that have no account exactly as to those that have one, so a lock tells
nothing about who is registered. While locked, even the right password is refused: otherwise
guessing would simply go on.

The check sits in an authentication backend, so the API's login (``auth/token/``) and the admin
login are both covered; the API asks :func:`lock_remaining` first to answer 429 ``login_locked``
with ``Retry-After`` instead of a plain 401.
"""

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from rest_framework.throttling import BaseThrottle

from accounts.models import AuditEvent, normalize_email_address
from careerhub.throttling import open_when_cache_is_down


def client_ip(request) -> str | None:
    """The client's address as the throttles see it (``NUM_PROXIES`` decides whom to trust)."""
    if request is None:
        return None
    return BaseThrottle().get_ident(request) or None


def _scopes(*, email: str | None, ip: str | None) -> list[tuple[str, int]]:
    scopes = []
    if email:
        digest = hashlib.sha256(normalize_email_address(email).encode()).hexdigest()
        scopes.append((f"login-account:{digest}", settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES))
    if ip:
        scopes.append((f"login-ip:{ip}", settings.LOGIN_LOCKOUT_IP_FAILURES))
    return scopes


@open_when_cache_is_down(0, "login lockout not applied")
def lock_remaining(*, email: str | None, ip: str | None) -> int:
    """Seconds until a login for this email from this address may be tried again (0: not locked)."""
    now = time.time()
    keys = [f"{scope}:locked-until" for scope, _ in _scopes(email=email, ip=ip)]
    until = max((value for value in cache.get_many(keys).values() if value), default=0)
    return max(0, math.ceil(until - now))


@open_when_cache_is_down(False, "login lockout not applied")
def failure_record(*, email: str | None, ip: str | None) -> bool:
    """Count a failed login; returns whether it locked the account or the address."""
    window = int(settings.LOGIN_LOCKOUT_WINDOW.total_seconds())
    duration = int(settings.LOGIN_LOCKOUT_DURATION.total_seconds())
    locked = False
    for scope, limit in _scopes(email=email, ip=ip):
        key = f"{scope}:failures"
        cache.add(key, 0, timeout=window)  # the window starts at the first failure
        try:
            failures = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            failures = 1
        if failures >= limit:
            cache.set(f"{scope}:locked-until", time.time() + duration, timeout=duration)
            cache.delete(key)
            locked = True
    return locked


@open_when_cache_is_down(None, "login lockout not applied")
def failures_clear(*, email: str) -> None:
    """A successful login forgets the account's failures (not the address's)."""
    for scope, _ in _scopes(email=email, ip=None):
        cache.delete(f"{scope}:failures")


class LockoutModelBackend(ModelBackend):
    """The model backend, refusing logins while the account or the client address is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        from accounts.audit import audit_record

        email = username if username is not None else kwargs.get("email")
        ip = client_ip(request)
        if lock_remaining(email=email, ip=ip):
            raise PermissionDenied("Too many failed logins; try again later.")
        user = super().authenticate(request, username=email, password=password, **kwargs)
        if user is None:
            if failure_record(email=email, ip=ip):
                audit_record(action=AuditEvent.Action.LOGIN_LOCKED, ip=ip)
        elif email:
            failures_clear(email=email)
        return user
