"""CareerHub settings, driven by environment variables.

The defaults run the zero-setup demo: SQLite in WAL mode and a filesystem broker under
``var/``. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and Redis; production sets
``DEBUG=0`` plus real secrets. The README lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment (make run writes one into .env).")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "django_htmx",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "roadmaps",
    "notifications",
    "bench",
    "web",
]

MIDDLEWARE = [
    # First, so that it sees every answer: any error not yet in problem+json becomes one.
    "careerhub.middleware.ProblemMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "careerhub.limits.RequestSizeLimitMiddleware",
    "accounts.audit.AuditContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "careerhub.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "careerhub.urls"
WSGI_APPLICATION = "careerhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.page_time_zone",
                "web.context_processors.unread_count",
                "web.context_processors.navigation",
            ],
        },
    },
]

# Database ------------------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'careerhub.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server, worker and beat of the demo read while one of them writes;
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The hot selectors' statements are prepared (careerhub/sql.py); the ORM's never are, as its
    # cursors send values inside the query text. Off behind a pooler that cannot keep them
    # (PgBouncer before 1.21 in transaction mode): the same statements then run unprepared.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1  # only when asked

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and broker --------------------------------------------------------------------

REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "careerhub.cache.RedisCache",
            "LOCATION": REDIS_URL,
            # Only rate limits live here, and they let requests through when Redis is away
            # (careerhub/throttling.py): give up on it quickly rather than hold the request.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # Files under VAR_DIR: the demo's web processes and worker share the throttle and lockout counts.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": VAR_DIR / "cache"}
    }

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL) or None
if CELERY_BROKER_URL.startswith("filesystem://"):
    BROKER_DIR = VAR_DIR / "broker"
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    # Broadcast commands (celery inspect/control) are not needed in the demo; off, nobody polls for them.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 5,
        "socket_timeout": 10,
        # A request that publishes (an event reminder) while Redis is down fails at once, one
        # retry later, instead of retrying for seconds; the reminder row waits for the next scan.
        "max_retries": 1,
        "interval_start": 0,
        # Redis keeps a message a worker took but has not acknowledged (tasks ack late) and gives
        # it to another worker after this many seconds: how a task whose worker was killed comes
        # back. It must outlast the longest a healthy worker holds a message unacknowledged (the
        # task time limit; no task is sent with a countdown or ETA: retries wait in database
        # rows), or the task would run twice. Tests use a few seconds.
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60),
        # Each worker looks for such messages this often (kombu's default sweep works out at the same
        # 100 s: every 10th tick of 10 s).
        "unacked_restore_interval": env.int("CELERY_RESTORE_SWEEP_SECONDS", default=100),
        "unacked_restore_throttle": 1,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(hours=1)
# Nothing reads the results of tasks (their rows are the truth), so none are stored unless a task
# asks: a result backend that is down cannot then fail the request that sends a task.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {
        "task": "careerhub.heartbeat",
        "schedule": env.float("HEARTBEAT_SECONDS", default=60.0),
    },
    "purge-idempotency-keys": {"task": "accounts.purge_idempotency_keys", "schedule": timedelta(hours=1)},
    "purge-sync-changes": {"task": "accounts.purge_sync_changes", "schedule": timedelta(hours=6)},
    "purge-data-exports": {"task": "accounts.purge_data_exports", "schedule": timedelta(hours=1)},
    "purge-login-sessions": {"task": "accounts.purge_login_sessions", "schedule": timedelta(days=1)},
    # Beat only ticks: the scan writes due reminders as rows and fans out what is due now.
    "scan-reminders": {
        "task": "notifications.scan",
        "schedule": env.float("REMINDER_SCAN_SECONDS", default=300.0),
    },
}

# Accounts ------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# The model backend, with the login lockout in front of it (the API's login and the admin's).
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutModelBackend"]
# The web app's pages send anonymous visitors to its log-in page, and back after it.
LOGIN_URL = "web:login"
# Failed logins before a lock, per account (email) and per client IP, counted over the window.
LOGIN_LOCKOUT_ACCOUNT_FAILURES = env.int("LOGIN_LOCKOUT_ACCOUNT_FAILURES", default=5)
LOGIN_LOCKOUT_IP_FAILURES = env.int("LOGIN_LOCKOUT_IP_FAILURES", default=30)
LOGIN_LOCKOUT_WINDOW = timedelta(minutes=env.int("LOGIN_LOCKOUT_WINDOW_MINUTES", default=15))
LOGIN_LOCKOUT_DURATION = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
# Password reset links work once, for this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=3600)
EMAIL_VERIFICATION_MAX_AGE = timedelta(days=env.int("EMAIL_VERIFICATION_DAYS", default=7))
# An invitation's code (8 characters anyone holding it may redeem) lasts this long.
MENTORSHIP_CODE_MAX_AGE = timedelta(days=env.int("MENTORSHIP_CODE_DAYS", default=14))
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation ------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files --------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded and generated files (data exports). Never served as static files: exports go through
# an authenticated, signed download endpoint.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security ------------------------------------------------------------------------------
# Secure by default; the demo (DEBUG=1) runs on plain HTTP.

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only our own scripts, styles and images, and no inline
# script anywhere; the API docs load Swagger UI's starter as a file too (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Request bodies: JSON bodies over this many bytes answer 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_REQUEST_BODY_BYTES", default=256 * 1024)
CSRF_FAILURE_VIEW = "web.views.errors.csrf_failure"

# API -----------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": (
        ["careerhub.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"]
        if DEBUG
        else ["careerhub.renderers.JSONRenderer"]
    ),
    # The app speaks JSON; form encodings would parse blanks and nulls loosely.
    "DEFAULT_PARSER_CLASSES": ["careerhub.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "careerhub.pagination.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "careerhub.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "careerhub.exceptions.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Counted in the default cache: Redis when REDIS_URL is set, shared by every process.
    "DEFAULT_THROTTLE_CLASSES": ["careerhub.throttling.WriteThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "login": env("THROTTLE_RATE_LOGIN", default="10/min"),  # auth/token/ and auth/register/, per IP
        "refresh": env("THROTTLE_RATE_REFRESH", default="30/min"),  # auth/token/refresh/, per IP
        "writes": env("THROTTLE_RATE_WRITES", default="120/min"),  # a user's POST, PUT, PATCH, DELETE
        "sync": env("THROTTLE_RATE_SYNC", default="60/min"),  # GET sync/, per user
        "redeem": env("THROTTLE_RATE_REDEEM", default="10/hour"),  # mentorships/redeem/, per user: codes are short
    },
    # Proxies in front that append to X-Forwarded-For: 0 counts per connecting address (no proxy);
    # behind a load balancer set 1, or all clients share one address and one login budget.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# A rotated refresh token sent again after this long revokes its session (a retry within it does not).
REFRESH_REUSE_GRACE = timedelta(seconds=env.int("REFRESH_REUSE_GRACE_SECONDS", default=30))
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=30)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a hash of the password hash: a password change or reset also ends the access
    # tokens already issued (refresh tokens are revoked with their sessions).
    "CHECK_REVOKE_TOKEN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CareerHub API",
    "DESCRIPTION": (
        "Learning-plan tracker for people moving into AI careers. Errors are "
        "application/problem+json with a stable machine-readable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "MilestoneStateEnum": "roadmaps.models.Milestone.State",
        "EvidenceEnum": "roadmaps.models.MilestoneTemplate.Evidence",
        "RoadmapStatusEnum": "roadmaps.models.Roadmap.Status",
        "TrackingStatusEnum": ["on_track", "at_risk", "behind"],
        "LoggableStateEnum": ["in_progress", "done"],
        "KindEnum": "roadmaps.models.MilestoneTemplate.Kind",
        "ResourceKindEnum": "roadmaps.models.Resource.Kind",
        "NotificationKindEnum": "notifications.models.Kind",
    },
}

# Email ---------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.com:587; the demo prints mail to the console.

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_HOST = EMAIL_CONFIG.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = EMAIL_CONFIG.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = EMAIL_CONFIG.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = EMAIL_CONFIG.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = EMAIL_CONFIG.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = EMAIL_CONFIG.get("EMAIL_USE_SSL", False)
# A mail server that does not answer fails the send (retried later) instead of holding a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CareerHub <noreply@careerhub.local>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where links in emails and the calendar feed point: the web app's pages (web/urls.py). The demo's
# default follows the PORT `make run` serves on.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}").rstrip("/")

# Data export ---------------------------------------------------------------------------

DATA_EXPORT_RETENTION = timedelta(hours=env.int("DATA_EXPORT_RETENTION_HOURS", default=24))
DATA_EXPORT_LINK_MAX_AGE = timedelta(minutes=env.int("DATA_EXPORT_LINK_MINUTES", default=60))

CATALOG_DIR = BASE_DIR / "fixtures"
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24))
# How long sync changes are kept; an older cursor must resync from scratch.
SYNC_RETENTION = timedelta(days=env.int("SYNC_RETENTION_DAYS", default=30))

# Reminders -------------------------------------------------------------------------------
# Defaults of every user's preferences and of the reminder rules; users change their own.

NOTIFICATIONS = {
    "PREFERRED_HOUR": env.int("REMINDER_PREFERRED_HOUR", default=9),
    "DIGEST_WEEKDAY": env.int("REMINDER_DIGEST_WEEKDAY", default=0),  # Monday
    "DAILY_CAP": env.int("REMINDER_DAILY_CAP", default=5),
    "TARGET_SOON_DAYS": env.int("REMINDER_TARGET_SOON_DAYS", default=3),
    "INACTIVITY_DAYS": env.int("REMINDER_INACTIVITY_DAYS", default=7),
    "REVIEW_WAITING_DAYS": env.int("REMINDER_REVIEW_WAITING_DAYS", default=3),
    # Past this, a waiting review is listed for staff (staff/reviews/waiting/).
    "REVIEW_ESCALATION_DAYS": env.int("REMINDER_REVIEW_ESCALATION_DAYS", default=5),
    "CHUNK_SIZE": env.int("REMINDER_CHUNK_SIZE", default=500),
    # A due reminder enqueued this long ago and still pending is enqueued again (a lost message).
    "REQUEUE_AFTER": timedelta(seconds=env.int("REMINDER_REQUEUE_SECONDS", default=10 * 60)),
    "PUSH_SENDER": env("PUSH_SENDER", default="notifications.push.RecordingSender"),
    "PUSH_PROVIDER_URL": env("PUSH_PROVIDER_URL", default=""),
    "PUSH_PROVIDER_KEY": env("PUSH_PROVIDER_KEY", default=""),
    "PUSH_PROVIDER_TIMEOUT": env.float("PUSH_PROVIDER_TIMEOUT", default=10.0),
    # Transient send failures: retried up to this many times, backing off from 30 s to an hour.
    "SEND_MAX_RETRIES": env.int("REMINDER_SEND_MAX_RETRIES", default=8),
    "RETRY_BASE_SECONDS": env.int("REMINDER_RETRY_BASE_SECONDS", default=30),
    "RETRY_MAX_SECONDS": env.int("REMINDER_RETRY_MAX_SECONDS", default=3600),
}

# Logging -------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
