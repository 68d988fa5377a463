"""One settings module, read from the environment (see .env.example for every setting).

APP_ENV=production turns on the deployment hardening and refuses to start without a secret;
development defaults are safe for a laptop: embedded PostgreSQL and inline Celery.
"""

import os
import sys
from pathlib import Path

import dj_database_url
import pghistory
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.embedded_db import embedded_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


APP_ENV = env("APP_ENV", "development")
PRODUCTION = APP_ENV == "production"
# Off unless asked for, in development too: Django's debug pages list every URL pattern and setting, so `make run`
# shows the NHS-styled 404 and 403 pages a real user would (DJANGO_DEBUG=true for the debug pages).
DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when APP_ENV=production.")
    SECRET_KEY = "development-only-key-never-used-in-production-5f1c2a9e8b7d6c4a3e2f1d0c9b8a7e6d"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "pgtrigger",
    "pghistory",
    # Our apps, lowest first: dependencies point up this list, never down it.
    "core",
    "referrals",
    "assessment",
    "recovery_plans",
    "prescribing",
    "harm_reduction",
    "worklists",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.save_confirmation.SaveConfirmationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.ReadAuditMiddleware",
    "core.path_ids.InvalidPathIdMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Serves collected static files from the app container; runserver serves them in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "core.context_processors.session_limits",
            ],
            "builtins": ["core.templatetags.dates", "core.templatetags.error_summary", "core.templatetags.values"],
        },
    },
]
FORM_RENDERER = "core.forms.NhsFormRenderer"

# The application connects as a role that owns no table (docs/deployment.md, "Database roles"), so it can
# neither TRUNCATE nor ALTER the audit log nor switch its triggers off. The commands that change the schema or
# the roles connect as the tables' owner instead, from DATABASE_MIGRATE_URL when it is set.
OWNER_COMMANDS = {"migrate", "grant_app_role", "restore_database"}
_database_url = env("DATABASE_URL") or embedded_database_url(BASE_DIR)
if env("DATABASE_MIGRATE_URL") and len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
    APP_DATABASE_URL = _database_url
    _database_url = env("DATABASE_MIGRATE_URL")
DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
# PostgreSQL's JIT compiles every query whose estimated cost passes a threshold; for the scoped lists and the
# KPI engine's aggregates it added 200-500 ms of compile time to queries that run in tens of milliseconds.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if env("TEST_DATABASE_NAME"):
    # Lets several checkouts or sessions run their suites side by side on one server.
    DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME")}
# A PostgreSQL read replica for reports and dashboards (core/replica.py, docs/scaling.md): when set, the views
# marked as reports read from it; everything else, and every write, uses DATABASE_URL.
READ_REPLICA = None
if env("DATABASE_REPLICA_URL"):
    READ_REPLICA = "replica"
    DATABASES[READ_REPLICA] = dj_database_url.parse(
        env("DATABASE_REPLICA_URL"), conn_max_age=60, conn_health_checks=True
    )
    DATABASES[READ_REPLICA]["OPTIONS"] = {"options": "-c jit=off"}
    # Tests never read a real replica: tests/core/test_replica.py stands a second test database in for one.
    DATABASES[READ_REPLICA]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# Behind PgBouncer in transaction mode (docs/scaling.md) a connection is the app's only for one transaction, so
# no server-side cursor (Django's `.iterator()`), which lives across transactions, may be left open on it.
if env_bool("DATABASE_TRANSACTION_POOLING", False):
    for _database in DATABASES.values():
        _database["DISABLE_SERVER_SIDE_CURSORS"] = True
# Change history (core.history): the triggers are installed by migrate, not written into each app's migrations.
# The change-history tables are read by record (pgh_obj) only: a copied foreign key column needs no index there, and
# each one cost every write to the tracked table an index insert (a bulk import spent more on them than on its rows).
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "core.user_backend.UserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in security (core/sign_in.py, docs/security.md): failures counted per username from every address and
# per address for every username, each against its own limit; a cool-off doubling from one minute.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
SIGN_IN_IP_FAILURE_LIMIT = int(env("SIGN_IN_IP_FAILURE_LIMIT", "20"))
SIGN_IN_COOL_OFF_MINUTES = int(env("SIGN_IN_COOL_OFF_MINUTES", "1"))
SIGN_IN_COOL_OFF_CAP_MINUTES = int(env("SIGN_IN_COOL_OFF_CAP_MINUTES", "60"))
AXES_COOLOFF_TIME = "core.sign_in.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "core.sign_in.SignInLockoutHandler"
AXES_LOCKOUT_CALLABLE = "core.sign_in.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "core.sign_in.client_ip"
AXES_RESET_ON_SUCCESS = True
# The client address is REMOTE_ADDR unless a proxy we run sets a header: name it here as Django sees it
# (e.g. HTTP_X_FORWARDED_FOR) with the number of our proxies that append to it. Audit rows use the same address.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", "")
CLIENT_IP_PROXY_COUNT = int(env("CLIENT_IP_PROXY_COUNT", "1"))
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Staff reach the admin only with a verified one-time password in production.
ADMIN_REQUIRES_OTP = env_bool("ADMIN_REQUIRES_OTP", PRODUCTION)
OTP_TOTP_ISSUER = "Recovery Record"
# The demo's published logins carry a "demo enrolment" device that counts as the second factor; never in
# production, where every account enrols an authenticator app (core/two_factor.py).
TWO_FACTOR_TRUST_DEMO_DEVICES = env_bool("TWO_FACTOR_TRUST_DEMO_DEVICES", not PRODUCTION)
if PRODUCTION and TWO_FACTOR_TRUST_DEMO_DEVICES:
    raise ImproperlyConfigured("TWO_FACTOR_TRUST_DEMO_DEVICES must be off in production.")

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Uploaded transfer-of-care files: under PRIVATE_MEDIA_ROOT (below), served by no URL (issue 13).
    "private": {"BACKEND": "reporting.storage.PrivateFileStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Request bodies: form fields are held in memory up to 2.5 MB; an uploaded file above 2.5 MB goes to a temporary
# file as it arrives, never into memory. A transfer-of-care upload larger than TRANSFER_IMPORT_MAX_BYTES is refused
# from its Content-Length before its body is read (and by counting, for a body sent without one).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
TRANSFER_IMPORT_MAX_BYTES = int(env("TRANSFER_IMPORT_MAX_BYTES", str(256 * 1024 * 1024)))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["core.api_input.ScopedFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api_input.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.ListPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.domain_exception_handler",
}
# OpenAPI enum-naming warnings (duplicate "kind"/"result"/"setting" choice names) are cosmetic, not security;
# silenced until each collision gets an ENUM_NAME_OVERRIDES entry (noted on issue 2).
SPECTACULAR_SETTINGS = {
    "TITLE": "Recovery Record API",
    "DESCRIPTION": "Case management for an integrated drug and alcohol treatment service.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Record ids in paths (core.path_ids): anything else is a 400 naming the parameter.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}},
    # Choice sets that several fields share (staff and preferred worker gender; the assessment's yes, no
    # or declined questions) get one name in the schema instead of a name per field. Fields with the same
    # name but different choices ("kind", "result", "setting") are named for their choice set, since the
    # generator's fallback is a hash ("Kind41dEnum") that changes as the API grows.
    # tests/core/test_api_schema.py fails on any new collision.
    "ENUM_NAME_OVERRIDES": {
        "GenderEnum": "core.choices.Gender",
        "AnswerEnum": "assessment.choices.Answer",
        "OrderKindEnum": "referrals.choices.OrderKind",
        "RecordShareEndReasonEnum": "referrals.models.RecordShare.EndReason",
        "SharedCareEndReasonEnum": "prescribing.choices.SharedCareEndReason",
        "FollowUpKindEnum": "referrals.choices.FollowUpKind",
        "JobStateEnum": "core.choices.JobState",
        "BbvTestKindEnum": "harm_reduction.choices.BbvTestKind",
        "BbvResultEnum": "harm_reduction.choices.BbvResult",
        "OutreachSettingEnum": "harm_reduction.choices.OutreachSetting",
        "ReturnExportKindEnum": "reporting.choices.ExportKind",
        "ReturnExportStateEnum": "reporting.choices.ExportState",
    },
}

# Celery: a real broker when REDIS_URL is set, otherwise tasks run inline in the caller.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than any countdown or retry delay, or Redis hands the same task out again in a loop.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 60 * 60}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {}

# The age on the referral date from which a person is routed to ARM rather than ESAP (domain.md 2.1).
ADULT_SERVICE_MIN_AGE = int(env("ADULT_SERVICE_MIN_AGE", "25"))
YOUNG_PEOPLE_SERVICE_MIN_AGE = int(env("YOUNG_PEOPLE_SERVICE_MIN_AGE", "11"))
# Identifies this provider in the national return and transfer-of-care files.
AGENCY_CODE = env("AGENCY_CODE", "SOTDA")
# Exported returns and uploaded files: served only through views that check the user, never under a public URL.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / ".data" / "private")))
# Exported and uploaded files are removed this many days after they were made (a morning job).
RETURN_FILE_RETENTION_DAYS = int(env("RETURN_FILE_RETENTION_DAYS", "30"))

SESSION_COOKIE_HTTPONLY = True
# Signed out after 30 minutes without a request and 10 hours after signing in whatever happens; the page warns two
# minutes before either. Requests renew the session at most once a minute (core.middleware.SessionLimitsMiddleware),
# not on every request: saving it was a transaction on every page.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ABSOLUTE_SECONDS = 10 * 60 * 60
SESSION_WARNING_SECONDS = 2 * 60
# The cookie itself ends with the browser.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from our own files: no inline script or style anywhere (a test reads every template),
# so an injected <script> or style attribute does nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("DJANGO_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 404) is one line, not a traceback: it is the site working (core/logging.py).
    "filters": {"one_line_refusals": {"()": "core.logging.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every PDF step at INFO; that would bury the site's own lines.
    "loggers": {name: {"level": "WARNING"} for name in ("django.db.backends", "pgserver", "weasyprint", "fontTools")},
}
