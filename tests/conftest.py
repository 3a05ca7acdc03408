import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from careerhub.celery import app as celery_app

START_HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
}


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail at once, naming the service, when PostgreSQL or Redis is not reachable."""
    database = settings.DATABASES["default"]
    redis = urlsplit(settings.REDIS_URL)
    services = {
        "PostgreSQL": (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432), "TEST_DATABASE_URL"),
        "Redis": (redis.hostname or "127.0.0.1", redis.port or 6379, "TEST_REDIS_URL"),
    }
    down = [
        f"{name} is not reachable at {host}:{port} (set {variable} to point elsewhere). Start it with:\n"
        f"    {START_HINTS[name]}"
        for name, (host, port, variable) in services.items()
        if not _answers(host, port)
    ]
    if down:
        pytest.exit("\n".join(down), returncode=3)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def learner(db):
    from tests.factories import UserFactory

    return UserFactory(time_zone="Europe/Berlin")


@pytest.fixture
def learner_client(learner) -> APIClient:
    from tests.clients import logged_in

    return logged_in(learner)


@pytest.fixture
def other_client(db) -> APIClient:
    from tests.clients import logged_in
    from tests.factories import UserFactory

    return logged_in(UserFactory())


@pytest.fixture
def eager_tasks():
    """Tasks sent on commit run at once, in the test (with ``django_capture_on_commit_callbacks(execute=True)``)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False
