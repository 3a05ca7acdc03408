import uuid

import pytest


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """Login failures, locks and throttle counts of this test's own: no other test or run shares them."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"accounts-test-{uuid.uuid4().hex}"}}


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
