import uuid

import pytest

from careerhub.celery import app as celery_app


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """Login failures, locks and throttle counts of this test's own: no other test or run shares them."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"accounts-test-{uuid.uuid4().hex}"}}


@pytest.fixture
def eager_tasks():
    """Tasks sent on commit run at once, in the test (with ``django_capture_on_commit_callbacks(execute=True)``)."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_eager_propagates = False


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
