"""Settings for Compound Service Desk.

Two modes, chosen by SERVICEDESK_MODE:
- ``local`` (default): SQLite under var/, a Celery broker on the file system (no server), e-mail to files,
  DEBUG on. Nothing to install but Python.
- ``production``: secrets and hosts must come from the environment; DEBUG is off and the deploy checks pass.
DATABASE_URL and CELERY_BROKER_URL switch either mode to PostgreSQL and Redis/RabbitMQ.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from servicedesk.env import env_bool, env_int, env_list, env_str, require

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SERVICEDESK_VAR_DIR", str(BASE_DIR / "var")))

MODE = env_str("SERVICEDESK_MODE", "local")
if MODE not in {"local", "production"}:
    raise ImproperlyConfigured(f"SERVICEDESK_MODE must be 'local' or 'production', got {MODE!r}")
PRODUCTION = MODE == "production"

if PRODUCTION:
    SECRET_KEY = require("SECRET_KEY", env_str("SECRET_KEY"), why="signs sessions and tokens")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long in production mode.")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production mode (comma-separated host names).")
    # PostgreSQL also keeps the log-in failure counts that every web process must share (servicedesk/auth.py).
    require("DATABASE_URL", env_str("DATABASE_URL"), why="production runs on PostgreSQL")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY", "local-only-insecure-key-" + "x" * 40)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
    DEBUG = env_bool("DEBUG", True)

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tickets",
    "offices",
    "fleet",
    "canteen",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # last, as django-axes asks: it turns a locked-out log-in into the 429 page
    "axes.middleware.AxesMiddleware",
    # after everything that knows the user and the language, before any view reads the body (servicedesk/guard.py)
    "servicedesk.guard.RequestGuardMiddleware",
]

ROOT_URLCONF = "servicedesk.urls"
WSGI_APPLICATION = "servicedesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "servicedesk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "tickets.web.context.module_nav",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("DB_PG_JIT", False):
        # Short OLTP queries: PostgreSQL's JIT compiled a requester's list for 190 ms at 1M rows and ran it in a
        # few (docs/performance.md); DB_PG_JIT=1 gives it back.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "servicedesk.sqlite3"),
            # Kept open like PostgreSQL's: opening SQLite re-reads the schema and the planner's statistics, 1.5 ms
            # of every request (bench/core_bench.py).
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            # SQLite serialises writers; IMMEDIATE takes the write lock at BEGIN so two racing writers queue
            # instead of failing half-way, and WAL lets the web, the worker and beat read while one writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
# Our apps set BigAutoField in their AppConfig; third-party apps (celery beat) keep the AutoField of their migrations.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTH_USER_MODEL = "tickets.User"
# Log-in protection (servicedesk/auth.py): django-axes first, then the model backend that refuses an address
# spraying failures across accounts. The counts are rows in the database every web process shares.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "servicedesk.auth.SprayGuardBackend"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # a user name *from one address*
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "servicedesk.auth.client_ip"
AXES_USERNAME_CALLABLE = "servicedesk.auth.login_username"
AXES_LOCKOUT_CALLABLE = "servicedesk.auth.lockout_response"
AXES_VERBOSE = False
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30)
# Addresses of the HTTPS proxy whose X-Forwarded-For is believed (gunicorn is bound to the loopback behind it).
TRUSTED_PROXIES = frozenset(env_list("TRUSTED_PROXIES", ["127.0.0.1", "::1"]))
# API tokens stop working this many days after they were made (0: never); a password change deletes them.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language and time: Chinese first, English complete; stored in UTC, shown in Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploaded files are never served from a public URL: views check who may see the request first.
MEDIA_URL = "/media-not-public/"
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 10) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
# A multipart body carries at most this many files (filing takes six photos); a larger body is refused from its
# Content-Length before it is read, and each file is stopped at UPLOAD_MAX_BYTES while it arrives.
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 6)
REQUEST_MAX_BYTES = UPLOAD_MAX_BYTES * UPLOAD_MAX_FILES + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "servicedesk.guard.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

# E-mail: files under var/mail locally, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "servicedesk@localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Celery: a file-system broker needs no server, so the demo's worker and beat really run on a laptop.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task that is half-done when its worker dies comes back after this many seconds (acks_late).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
# The schedule is servicedesk/schedule.py; beat keeps its last-run times in a file under var/.
# (django-celery-beat, for a schedule edited in the admin, does not support Django 6.1 yet.)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call answers 401 with a WWW-Authenticate header.
        "servicedesk.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "tickets.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "servicedesk.api.exception_handler",
    # NaN, Infinity, 1e400, nesting beyond 32 levels and NUL bytes are refused as a 400 (servicedesk/parsers.py)
    "DEFAULT_PARSER_CLASSES": [
        "servicedesk.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Compound Service Desk API",
    "DESCRIPTION": "机关事务服务台 API: service requests, SLA, feedback and modules.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "servicedesk.api.document_errors"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UrgencyEnum": "tickets.models.choices.Urgency",
        "StatusEnum": "tickets.models.choices.Status",
        "EventKindEnum": "tickets.models.events.EventKind",
        "OrganLevelEnum": "tickets.models.org.OrganLevel",
        "VehicleCategoryEnum": "fleet.models.VehicleCategory",
        "DishCategoryEnum": "canteen.models.DishCategory",
        "MealEnum": "canteen.models.Meal",
        "AlertLevelEnum": "fleet.models.AlertLevel",
        "RecordKindEnum": "fleet.models.RecordKind",
        "AlertKindEnum": "fleet.models.AlertKind",
        "ExportStateEnum": "tickets.models.reports.Export.State",
        "ScorecardStateEnum": "tickets.assessment.models.Scorecard.State",
        "AppealStateEnum": "tickets.assessment.models.ScorecardAppeal.State",
        "EquipmentCategoryEnum": "tickets.maintenance.models.EquipmentCategory",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if env_str("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("CACHE_URL")}}

# Domain settings (thresholds the bureau may change per deployment).
SERVICEDESK = {
    "FEEDBACK_WINDOW_WORKING_DAYS": env_int("FEEDBACK_WINDOW_WORKING_DAYS", 3),
    "CALLBACK_WORKING_DAYS": 1,
    "LOW_RATING": 2,
    "SATISFIED_TARGET_PERCENT": env_int("SATISFIED_TARGET_PERCENT", 92),
    "WEBHOOK_TIMEOUT_SECONDS": 5,
    # Lists count at most this many rows; above, they say "10,000+" (tickets/pagination.py).
    "LIST_COUNT_CAP": env_int("LIST_COUNT_CAP", 10_000),
}

# With a shared cache (CACHE_URL: Redis, every web node), sessions are read from it and written through to the
# database: one query less on every request. Without one, each process's own memory cannot be trusted with them (a
# log-out in one process would leave the session alive in the others), so they stay in the database.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if env_str("CACHE_URL") else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
X_FRAME_OPTIONS = "DENY"
# Every asset is the product's own: scripts only from itself (inline ones need the per-response nonce).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
