"""Login lockout: repeated failures lock an account and a client address for a while, as JSON."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from tests.accounts.helpers import PASSWORD, TOKEN
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCKED = {
    "type": "about:blank",
    "title": "Too Many Requests",
    "status": 429,
    "code": "login_locked",
    "detail": "Too many failed logins; try again later. Expected available in 900 seconds.",
}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.LOGIN_LOCKOUT_ACCOUNT_FAILURES = 3
    settings.LOGIN_LOCKOUT_IP_FAILURES = 5
    settings.LOGIN_LOCKOUT_DURATION = timedelta(minutes=15)


@pytest.fixture
def frozen():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _login(email: str, password: str, ip: str = "203.0.113.7"):
    return APIClient().post(TOKEN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(frozen):
    # Given: three failed logins for one account, from different addresses
    UserFactory(email="ada@example.com")
    UserFactory(email="grace@example.com")
    failures = [_login("ada@example.com", "wrong", ip=f"203.0.113.{n}") for n in range(3)]

    # When
    right_password = _login("ada@example.com", PASSWORD, ip="198.51.100.1")
    other_account = _login("grace@example.com", PASSWORD, ip="203.0.113.1")

    # Then: a JSON 429 with Retry-After; other accounts are not held back
    assert [response.status_code for response in failures] == [401, 401, 401]
    assert right_password.status_code == 429
    assert right_password["Content-Type"] == "application/problem+json"
    assert right_password["Retry-After"] == "900"
    assert right_password.json() == LOCKED
    assert other_account.status_code == 200


def test_a_locked_account_can_log_in_once_the_lock_has_passed(frozen):
    # Given
    UserFactory(email="ada@example.com")
    for _ in range(3):
        _login("ada@example.com", "wrong")
    frozen.shift(timedelta(minutes=14))
    assert _login("ada@example.com", PASSWORD)["Retry-After"] == "60"

    # When
    frozen.shift(timedelta(minutes=1, seconds=1))
    response = _login("ada@example.com", PASSWORD)

    # Then
    assert response.status_code == 200


def test_an_address_without_an_account_locks_exactly_like_one_with_an_account(frozen):
    # Given
    UserFactory(email="ada@example.com")

    # When
    known = [_login("ada@example.com", "wrong", ip="203.0.113.1") for _ in range(4)]
    unknown = [_login("nobody@example.com", "wrong", ip="203.0.113.2") for _ in range(4)]

    # Then: the same statuses and bodies, so the lock tells nobody who has an account
    assert [(r.status_code, r.content) for r in known] == [(r.status_code, r.content) for r in unknown]
    assert [r.status_code for r in known] == [401, 401, 401, 429]


def test_a_client_address_is_locked_after_failures_across_accounts(frozen):
    # Given: five failures from one address, each for another account
    UserFactory(email="ada@example.com")
    for n in range(5):
        _login(f"guess{n}@example.com", "wrong", ip="203.0.113.66")

    # When
    same_address = _login("ada@example.com", PASSWORD, ip="203.0.113.66")
    other_address = _login("ada@example.com", PASSWORD, ip="198.51.100.1")

    # Then
    assert (same_address.status_code, same_address.json()) == (429, LOCKED)
    assert other_address.status_code == 200


def test_a_successful_login_forgets_the_accounts_failures(frozen):
    # Given
    UserFactory(email="ada@example.com")
    for _ in range(2):
        _login("ada@example.com", "wrong")
    assert _login("ada@example.com", PASSWORD).status_code == 200

    # When
    after = [_login("ada@example.com", "wrong").status_code for _ in range(2)]

    # Then
    assert after == [401, 401]
    assert _login("ada@example.com", PASSWORD).status_code == 200


def test_a_lock_is_recorded_in_the_audit_trail(frozen):
    for _ in range(3):
        _login("ada@example.com", "wrong", ip="203.0.113.9")

    assert list(AuditEvent.objects.values_list("action", "ip", "actor")) == [("login_locked", "203.0.113.9", None)]


def test_the_admin_login_is_locked_too(frozen):
    # Given: a staff member's account, locked through the API
    UserFactory(email="staff@example.com", is_staff=True)
    for _ in range(3):
        _login("staff@example.com", "wrong")

    # When: the right password on the admin's login form
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "staff@example.com", "password": PASSWORD})

    # Then: the form again, not logged in
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
