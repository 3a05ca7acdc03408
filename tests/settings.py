"""Test settings: the real engines (PostgreSQL, Redis), overridable by env.

PostgreSQL: TEST_DATABASE_URL (default postgres://root@127.0.0.1:5432/root; Django creates
and drops its own test_* database). Redis: TEST_REDIS_URL (default database 15).
"""

import os

os.environ["DATABASE_URL"] = os.environ.get("TEST_DATABASE_URL", "postgres://root@127.0.0.1:5432/root")
os.environ["REDIS_URL"] = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-but-long-enough-for-hmac-sha256")
os.environ["DEBUG"] = "0"
# Tests talk plain HTTP to the test client; production keeps the redirect.
os.environ["SECURE_SSL_REDIRECT"] = "0"

# Rate limits the suite never reaches (tests/careerhub/test_throttling.py sets small ones itself).
for scope in ("LOGIN", "REFRESH", "WRITES", "SYNC", "REDEEM"):
    os.environ.setdefault(f"THROTTLE_RATE_{scope}", "10000/min")

from careerhub.settings import *  # noqa: E402, F403

# Hashing with Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# Serve static files from the apps' folders; a fresh clone has not run collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A test database of this run's own, so runs side by side (two checkouts, CI and a developer) never collide.
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME", f"test_careerhub_{os.getpid()}")}  # noqa: F405
# Cache keys (throttle counters) of this run's own: runs side by side share Redis database 15.
CACHES["default"]["KEY_PREFIX"] = f"test_careerhub_{os.getpid()}"  # noqa: F405
