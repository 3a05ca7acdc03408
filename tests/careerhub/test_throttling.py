"""Rate limits: counted in Redis, answered with 429 problem+json and a Retry-After header."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

THROTTLED = {
    "type": "about:blank",
    "title": "Too Many Requests",
    "status": 429,
    "code": "throttled",
    "detail": "Request was throttled. Expected available in 60 seconds.",
}


@pytest.fixture(autouse=True)
def small_rates(settings):
    """Small rates, and counters of this test's own: a key prefix no other test or run shares."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"login": "3/min", "refresh": "2/min", "writes": "2/min", "sync": "2/min"},
    }
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"}}


@pytest.fixture
def frozen():
    """The clock stands still, so the Retry-After of a full minute's budget is exactly 60."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


def _login(client: APIClient, ip: str):
    return client.post(
        "/api/v1/auth/token/", {"email": "ada@example.com", "password": "wrong"}, format="json", REMOTE_ADDR=ip
    )


def test_logging_in_is_limited_per_client_ip(api_client, frozen):
    # Given: three failed logins from one address
    tries = [_login(api_client, "203.0.113.7") for _ in range(3)]

    # When: a fourth, a registration from the same address, and a login from another address
    fourth = _login(api_client, "203.0.113.7")
    register = api_client.post(
        "/api/v1/auth/register/",
        {"email": "new@example.com", "password": "correct horse battery staple"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )
    elsewhere = _login(api_client, "198.51.100.1")

    # Then: the fourth and the registration wait a minute; the other address is not held back
    assert [response.status_code for response in tries] == [401, 401, 401]
    assert fourth.status_code == 429
    assert fourth["Content-Type"] == "application/problem+json"
    assert fourth["Retry-After"] == "60"
    assert fourth.json() == THROTTLED
    assert register.status_code == 429
    assert elsewhere.status_code == 401


def test_a_login_is_allowed_again_once_the_minute_has_passed(api_client, frozen):
    user = UserFactory(email="ada@example.com")
    for _ in range(3):
        _login(api_client, "203.0.113.7")
    assert _login(api_client, "203.0.113.7").status_code == 429

    frozen.shift(timedelta(seconds=61))
    response = api_client.post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": "correct horse battery staple"},
        format="json",
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_refreshing_tokens_is_limited_per_client_ip(api_client, frozen):
    refresh = [
        api_client.post("/api/v1/auth/token/refresh/", {"refresh": "not-a-token"}, format="json") for _ in range(3)
    ]

    assert [response.status_code for response in refresh] == [401, 401, 429]
    assert refresh[-1]["Retry-After"] == "60"


def test_writes_are_limited_per_user_and_reads_are_not(frozen):
    # Given: a learner who made two changes, of any kind, within the minute
    learner, other = APIClient(), APIClient()
    learner.force_authenticate(UserFactory())
    other.force_authenticate(UserFactory())
    first = learner.patch("/api/v1/me/", {"display_name": "Ada"}, format="json")
    second = learner.post("/api/v1/roadmaps/", {"path": "no-such-path"}, format="json")

    # When: a third change, a read, another user's change and an anonymous post
    third = learner.patch("/api/v1/me/", {"display_name": "Ada L."}, format="json")
    read = learner.get("/api/v1/me/")
    others = other.patch("/api/v1/me/", {"display_name": "Grace"}, format="json")
    anonymous = APIClient().post("/api/v1/quiz/", {"answers": {}}, format="json")

    # Then: only the learner's third change waits; even a refused change counted
    assert (first.status_code, second.status_code) == (200, 400)
    assert third.status_code == 429
    assert third["Retry-After"] == "60"
    assert third.json() == THROTTLED
    assert read.status_code == 200
    assert read.json()["display_name"] == "Ada"
    assert others.status_code == 200
    assert anonymous.status_code == 400


def _writes(client: APIClient, count: int) -> list[int]:
    return [client.patch("/api/v1/me/", {"display_name": "Ada"}, format="json").status_code for _ in range(count)]


@pytest.fixture(params=["careerhub.cache.RedisCache", "django.core.cache.backends.locmem.LocMemCache"])
def any_cache(request, settings):
    """Redis counts the writes with a script of ours, another cache (the demo's files) with DRF's code."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "BACKEND": request.param}}


def test_a_write_is_allowed_again_as_the_window_slides(any_cache, frozen):
    # Given: a learner whose two writes of the minute were 20 seconds apart
    learner = APIClient()
    learner.force_authenticate(UserFactory())
    first = _writes(learner, 1)
    frozen.shift(timedelta(seconds=20))
    second = _writes(learner, 2)

    # When: the minute of the first write has passed, then 59 seconds since the second
    frozen.shift(timedelta(seconds=41))
    after_first = _writes(learner, 2)
    frozen.shift(timedelta(seconds=18))
    before_second = learner.patch("/api/v1/me/", {"display_name": "Ada"}, format="json")

    # Then: one place came free, then the oldest write in the window is a second from leaving it
    assert first + second == [200, 200, 429]
    assert after_first == [200, 429]
    assert before_second.status_code == 429
    assert before_second["Retry-After"] == "1"


def test_a_full_window_answers_when_to_try_again(any_cache, frozen):
    learner = APIClient()
    learner.force_authenticate(UserFactory())

    statuses = _writes(learner, 3)
    last = learner.patch("/api/v1/me/", {"display_name": "Ada"}, format="json")

    assert statuses == [200, 200, 429]
    assert last["Retry-After"] == "60"
    assert last.json() == THROTTLED


def test_the_counts_are_kept_in_redis(api_client, frozen):
    _login(api_client, "203.0.113.7")
    _login(api_client, "203.0.113.7")

    assert isinstance(caches["default"], RedisCache)
    assert len(cache.get("throttle_login_203.0.113.7")) == 2
