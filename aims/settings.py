"""Settings for the AIMS portal, read from the environment.

A fresh checkout runs with no set-up: SQLite under var/, inline background tasks, DEBUG on. Production sets
DJANGO_DEBUG=0, which makes DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS required and turns on secure cookies,
HSTS and HTTPS redirects. Every bad value raises ImproperlyConfigured at start, naming the variable.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("AIMS_VAR_DIR", BASE_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_url(name: str, schemes: set[str]) -> str | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    scheme = urlsplit(raw).scheme
    if scheme not in schemes:
        raise ImproperlyConfigured(f"{name} must be a URL with scheme {sorted(schemes)}, got scheme {scheme!r}")
    return raw


DEBUG = env_bool("DJANGO_DEBUG", True)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        if not DEBUG and len(key) < 50:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters in production")
        return key
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off")
    # Development only: a key kept under var/ so that sessions survive restarts of `make run`.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    # Login throttling and two-factor authentication (issue 12): third-party auth apps, before ours.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "aims.core",
    "aims.accounts",
    "aims.audit",
    # Domain apps in dependency order (DESIGN.md): demo data is seeded in this order too.
    "registry",
    "controls",
    "risks",
    "evidence",
    "policies",
    # The management system reads everything, so it comes last.
    "aims.governance",
    "aims.reports",
    "aims.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "aims.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "aims.accounts.middleware.AccessExpiryMiddleware",
    "aims.accounts.middleware.UserSessionMiddleware",
    "aims.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during the request into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aims.urls"
WSGI_APPLICATION = "aims.wsgi.application"

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
                "aims.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'aims.sqlite3'}"
if urlsplit(DATABASE_URL).scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
    raise ImproperlyConfigured("DATABASE_URL must be a sqlite:// or postgres:// URL")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs a web process and a worker on one file: WAL lets readers and the writer
    # overlap, and IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A second connection for maintenance (dropping expired partitions) as the table owner, when production runs
# the web role without that right (docs/evidence-store.md).
DATABASE_MAINTENANCE_URL = env_str("DATABASE_MAINTENANCE_URL")
if DATABASE_MAINTENANCE_URL:
    DATABASES["maintenance"] = dj_database_url.parse(DATABASE_MAINTENANCE_URL)
    DATABASES["maintenance"]["TEST"] = {"MIRROR": "default"}

# --- Cache: rate limits must be shared by every web process, so Redis when there is one. ----------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env_str("REDIS_URL")}
        if env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Evidence (DESIGN.md, Evidence contract v1) ---------------------------------------------------------
AIMS_EVIDENCE_RETENTION_DAYS = env_int("AIMS_EVIDENCE_RETENTION_DAYS", 400, minimum=183)
AIMS_INGEST_MAX_EVENTS = env_int("AIMS_INGEST_MAX_EVENTS", 1000, minimum=1)
AIMS_INGEST_MAX_BYTES = env_int("AIMS_INGEST_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
AIMS_INGEST_MAX_EVENT_BYTES = env_int("AIMS_INGEST_MAX_EVENT_BYTES", 64 * 1024, minimum=1024)
AIMS_INGEST_MAX_BACKLOG = env_int("AIMS_INGEST_MAX_BACKLOG", 2000, minimum=1)
# The key of /decide's hash operator (stable pseudonyms within a deployment); unset, it derives from SECRET_KEY.
AIMS_DECIDE_HASH_KEY = env_str("AIMS_DECIDE_HASH_KEY") or None
if AIMS_DECIDE_HASH_KEY is not None and len(AIMS_DECIDE_HASH_KEY.encode()) < 16:
    raise ImproperlyConfigured("AIMS_DECIDE_HASH_KEY must be at least 16 bytes")
# Control status: how long a check result counts; the largest manual evidence file accepted.
AIMS_CONTROL_FRESHNESS_DAYS = env_int("AIMS_CONTROL_FRESHNESS_DAYS", 31, minimum=1)
AIMS_EVIDENCE_MAX_BYTES = env_int("AIMS_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Signed checkpoints (DESIGN.md, Keys): the Ed25519 private key (PEM, PKCS#8); unset, a local key is created
# under AIMS_VAR_DIR on first use (make run). Each signed checkpoint is pushed to the sinks that are set: a
# write-once directory and/or a webhook, so that rewriting history inside the portal shows outside it.
AIMS_SIGNING_KEY_FILE = env_str("AIMS_SIGNING_KEY_FILE", "")
AIMS_CHECKPOINT_SINK_DIR = env_str("AIMS_CHECKPOINT_SINK_DIR", "")
AIMS_CHECKPOINT_SINK_URL = env_url("AIMS_CHECKPOINT_SINK_URL", {"https", "http"}) or ""
# Policy currency check: the share of decisions (percent) that must be made under the current approved bundle.
AIMS_POLICY_CURRENCY_TARGET = env_int("AIMS_POLICY_CURRENCY_TARGET", 95, minimum=1)
# How long rendered dashboard panels and organisation-wide figures are reused (0: recomputed on every view).
AIMS_DASHBOARD_CACHE_SECONDS = env_int("AIMS_DASHBOARD_CACHE_SECONDS", 60, minimum=0)
# Only bench_ingest sets this, for the server it starts itself (evidence/api/naive.py).
AIMS_BENCH_ENDPOINTS = env_bool("AIMS_BENCH_ENDPOINTS", False)

# --- Authentication and sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses a locked-out address or account before any password is checked. It only watches
# django.contrib.auth.authenticate(); API tokens and evidence-source tokens never pass through it.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "aims.accounts.backends.AccessExpiryModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Absolute session lifetime; sessions also end when the browser closes.
SESSION_COOKIE_AGE = env_int("AIMS_SESSION_HOURS", 8, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
API_TOKEN_MAX_DAYS = env_int("AIMS_API_TOKEN_MAX_DAYS", 365, minimum=1)
# "Your sessions": a record of each login's session (hashed key, browser, truncated address) is kept this many
# days after the session ended, then purged by the clear-expired-sessions job.
AIMS_SESSION_RECORD_DAYS = env_int("AIMS_SESSION_RECORD_DAYS", 30, minimum=1)

# Login throttling (django-axes): after AIMS_LOGIN_FAILURE_LIMIT failures from one address, or against one
# account, further attempts are refused for AIMS_LOGIN_LOCKOUT_MINUTES (0: until an administrator unlocks).
AXES_FAILURE_LIMIT = env_int("AIMS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
_LOCKOUT_MINUTES = env_int("AIMS_LOGIN_LOCKOUT_MINUTES", 15, minimum=0)
AXES_COOLOFF_TIME = timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES else None
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
# The same address rule as the audit trail (REMOTE_ADDR; a trusted proxy must rewrite it).
AXES_CLIENT_IP_CALLABLE = "aims.audit.services.client_ip"
# The audit trail already records every login; axes keeps only the failure counters, not a second access log,
# and its log lines mask the name and address.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# Two-factor authentication (django-otp): TOTP apps plus one-time recovery codes. Roles listed here must use
# it (administrators can also require it per role in the admin); AIMS_2FA_PENDING_SECONDS is how long the code
# may follow the password.
OTP_TOTP_ISSUER = env_str("AIMS_2FA_ISSUER", "AIMS portal")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
AIMS_2FA_REQUIRED_ROLES = env_list("AIMS_2FA_REQUIRED_ROLES", [])
_ROLE_NAMES = {"Governance officer", "System owner", "Committee member", "Auditor", "Administrator"}
if _unknown_roles := sorted(set(AIMS_2FA_REQUIRED_ROLES) - _ROLE_NAMES):
    raise ImproperlyConfigured(
        f"AIMS_2FA_REQUIRED_ROLES names unknown roles {_unknown_roles}; use {sorted(_ROLE_NAMES)}"
    )
AIMS_2FA_PENDING_SECONDS = env_int("AIMS_2FA_PENDING_SECONDS", 300, minimum=30)

# Single sign-on with OpenID Connect (mozilla-django-oidc), on when AIMS_OIDC_CLIENT_ID is set. The provider's
# groups claim maps to roles ("idp-group=Role name,..."); Administrator is never granted by the provider, and with
# AIMS_OIDC_LOCAL_LOGIN_STAFF_ONLY the password form is kept for staff (administrators) alone.
AIMS_OIDC_ENABLED = bool(env_str("AIMS_OIDC_CLIENT_ID"))
AIMS_OIDC_GROUPS_CLAIM = env_str("AIMS_OIDC_GROUPS_CLAIM", "groups")
AIMS_OIDC_LOCAL_LOGIN_STAFF_ONLY = env_bool("AIMS_OIDC_LOCAL_LOGIN_STAFF_ONLY", False)


def _role_map(name: str) -> dict[str, str]:
    mapping = {}
    for pair in env_list(name, []):
        group, sep, role = pair.partition("=")
        if not sep or not group.strip() or role.strip() not in _ROLE_NAMES - {"Administrator"}:
            raise ImproperlyConfigured(
                f"{name} must read 'group=Role,...' with roles among {sorted(_ROLE_NAMES - {'Administrator'})}, "
                f"got {pair!r}"
            )
        mapping[group.strip()] = role.strip()
    return mapping


AIMS_OIDC_ROLE_MAP = _role_map("AIMS_OIDC_ROLE_MAP")
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "accounts:login"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env_str("AIMS_OIDC_SCOPES", "openid email profile groups")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
if AIMS_OIDC_ENABLED:
    OIDC_RP_CLIENT_ID = env_str("AIMS_OIDC_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = env_str("AIMS_OIDC_CLIENT_SECRET")
    if not OIDC_RP_CLIENT_SECRET:
        raise ImproperlyConfigured("AIMS_OIDC_CLIENT_SECRET is required when AIMS_OIDC_CLIENT_ID is set")

    def _oidc_url(name: str) -> str:
        url = env_url(name, {"https"} if not DEBUG else {"https", "http"})
        if not url:
            raise ImproperlyConfigured(f"{name} is required when AIMS_OIDC_CLIENT_ID is set")
        return url

    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc_url("AIMS_OIDC_AUTHORIZATION_URL")
    OIDC_OP_TOKEN_ENDPOINT = _oidc_url("AIMS_OIDC_TOKEN_URL")
    OIDC_OP_USER_ENDPOINT = _oidc_url("AIMS_OIDC_USERINFO_URL")
    OIDC_OP_JWKS_ENDPOINT = _oidc_url("AIMS_OIDC_JWKS_URL")
    AUTHENTICATION_BACKENDS.append("aims.accounts.oidc.OIDCBackend")

# --- Security headers -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Static files ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("AIMS_STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded evidence lives outside the web root and is served only through authorised views.
MEDIA_ROOT = Path(env_str("AIMS_MEDIA_ROOT") or VAR_DIR / "media")

# --- Internationalisation -------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("AIMS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Limits on input ------------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("AIMS_MAX_REQUEST_BYTES", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- REST framework -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "aims.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["aims.core.permissions.ModelPermissions"],
    "DEFAULT_PAGINATION_CLASS": "aims.core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "aims.core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "aims.core.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["aims.core.api.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_RATES": {"user": env_str("AIMS_API_USER_RATE", "6000/hour")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "AIMS portal API",
    "DESCRIPTION": (
        "ISO/IEC 42001 AI management system. Every error answers "
        '`{"error": {"code", "message", "fields"}}`. Authenticate with `Authorization: Token <key>`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a field called kind or status; name each enum after its own choices.
    "ENUM_NAME_OVERRIDES": {
        "RequirementKindEnum": "controls.choices.RequirementKind",
        "FrameworkKindEnum": "controls.choices.FrameworkKind",
        "RequirementStatusEnum": "controls.choices.RequirementStatus",
        "ImplementationStatusEnum": "controls.choices.ImplementationStatus",
        "ControlStatusEnum": "controls.choices.ControlStatus",
        "DecisionStatusEnum": "aims.core.choices.DecisionStatus",
        "DecisionKindEnum": "aims.core.choices.DecisionKind",
        "AuditKindEnum": "aims.audit.choices.AuditKind",
        "SystemStatusEnum": "registry.choices.SystemStatus",
        "ModelApprovalStatusEnum": "registry.choices.ModelApprovalStatus",
        "SupplierKindEnum": "registry.choices.SupplierKind",
        "RiskStatusEnum": "risks.choices.RiskStatus",
        "RiskActionStatusEnum": "risks.choices.ActionStatus",
        "RiskSeverityEnum": "risks.choices.Severity",
        "AssessmentStatusEnum": "risks.choices.AssessmentStatus",
        "PublicationStatusEnum": "policies.choices.PublicationStatus",
        "IssueKindEnum": "aims.governance.choices.IssueKind",
        "DocumentKindEnum": "aims.governance.choices.DocumentKind",
        "DocumentVersionStatusEnum": "aims.governance.choices.DocumentVersionStatus",
        "TrainingKindEnum": "aims.governance.choices.TrainingKind",
        "ObjectiveStatusEnum": "aims.governance.choices.ObjectiveStatus",
        "IncidentSeverityEnum": "aims.governance.choices.Severity",
        "IncidentStatusEnum": "aims.governance.choices.IncidentStatus",
        "ConcernStatusEnum": "aims.governance.choices.ConcernStatus",
        "AuditStatusEnum": "aims.governance.choices.AuditStatus",
        "NonconformityStatusEnum": "aims.governance.choices.NonconformityStatus",
        "GovernanceActionStatusEnum": "aims.governance.choices.ActionStatus",
        "ReviewStatusEnum": "aims.governance.choices.ReviewStatus",
        "ReportKindEnum": "aims.reports.choices.ReportKind",
        "ReportRunStatusEnum": "aims.reports.choices.RunStatus",
    },
}

# --- History: the admin never reverts a governed record around the services. ------------------------------
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Background work ------------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", {"redis", "rediss", "unix"})
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", {"redis", "rediss", "amqp", "filesystem", "memory"}) or REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
AIMS_LOCAL_BROKER = env_bool("AIMS_LOCAL_BROKER", False)
if AIMS_LOCAL_BROKER and not CELERY_BROKER_URL:
    # `make run`: an embedded broker on the file system, so a local worker and beat run without Redis.
    _broker = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "queue"),
        "data_folder_out": str(_broker / "queue"),
        "processed_folder": str(_broker / "processed"),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# Without a broker (tests on SQLite, scripts), tasks run inline in the caller, after commit. Celery still builds
# a producer for eager calls, so point it at the in-process transport rather than the default amqp://localhost,
# which on a shared machine might be someone's RabbitMQ.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("AIMS_TASK_TIME_LIMIT", 900, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 5
CELERY_TASK_IGNORE_RESULT = True
# A worker child whose memory passed this (KiB) is replaced once its task ends: a large report or evidence pack
# render leaves WeasyPrint's and the ZIP writer's memory behind, so the next task starts in a fresh child.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("AIMS_WORKER_MAX_MEMORY_KB", 400_000, minimum=50_000)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that enqueues must not hang on a broker outage: fail fast, and let the sweepers catch up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
AIMS_SWEEP_SECONDS = env_int("AIMS_SWEEP_SECONDS", 30, minimum=1)
AIMS_SWEEP_AFTER_SECONDS = env_int("AIMS_SWEEP_AFTER_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "end-expired-access": {
        "task": "aims.accounts.tasks.end_expired_access",
        "schedule": timedelta(minutes=15),
    },
    "evidence-sweep-pending-batches": {
        "task": "evidence.tasks.sweep_pending_batches",
        "schedule": timedelta(seconds=env_int("AIMS_SWEEP_SECONDS", 30, minimum=1)),
    },
    "evidence-ensure-partitions": {
        "task": "evidence.tasks.ensure_partitions",
        "schedule": crontab(minute=17, hour="*/6"),
    },
    # Hourly, so that a day held back by a pending batch is signed soon after the batch clears.
    "evidence-sign-checkpoints": {
        "task": "evidence.tasks.sign_checkpoints",
        "schedule": crontab(minute=10, hour="*"),
    },
    "evidence-push-checkpoints": {
        "task": "evidence.tasks.push_checkpoints",
        "schedule": timedelta(minutes=5),
    },
    # The automated control checks over the previous UTC day's rollups; then hourly rollups past 7 days go.
    "evidence-run-control-checks": {
        "task": "evidence.tasks.run_control_checks",
        "schedule": crontab(minute=15, hour=1),
    },
    "evidence-prune-hourly-rollups": {
        "task": "evidence.tasks.prune_hourly_rollups",
        "schedule": crontab(minute=0, hour=2),
    },
    # Re-enqueue report runs whose task was lost; fail runs whose worker died mid-render.
    "reports-sweep-report-runs": {
        "task": "reports.tasks.sweep_report_runs",
        "schedule": timedelta(minutes=1),
    },
    "risks-reopen-expired-acceptances": {
        "task": "risks.tasks.reopen_expired_acceptances",
        "schedule": crontab(minute=5, hour="*"),
    },
    "risks-reconcile-impact-assessments": {
        "task": "risks.tasks.reconcile_impact_assessments",
        "schedule": crontab(minute=35, hour="*"),
    },
    "governance-remind-reviews-due": {
        "task": "aims.governance.tasks.remind_reviews_due",
        "schedule": crontab(minute=0, hour=6),
    },
    "governance-remind-overdue-actions": {
        "task": "aims.governance.tasks.remind_overdue_actions",
        "schedule": crontab(minute=5, hour=6),
    },
    "governance-remind-training-due": {
        "task": "aims.governance.tasks.remind_training_due",
        "schedule": crontab(minute=10, hour=6),
    },
    "governance-remind-incident-deadlines": {
        "task": "aims.governance.tasks.remind_incident_deadlines",
        "schedule": timedelta(hours=1),
    },
    "governance-remind-expiring-access": {
        "task": "aims.governance.tasks.remind_expiring_access",
        "schedule": crontab(minute=15, hour=6),
    },
    "clear-expired-sessions": {
        "task": "aims.accounts.tasks.clear_expired_sessions",
        "schedule": crontab(minute=7, hour=3),
    },
}

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "aims@localhost")

# --- Logging: never log request bodies; evidence may carry pseudonymous actors only. -----------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("AIMS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per succeeded task drowns what matters; failures are still logged at ERROR.
        "celery.app.trace": {"level": "WARNING"},
    },
}

# Services needed by tests that exercise the real stack; see tests/conftest.py.
AIMS_REQUIRE_SERVICES = env_bool("AIMS_REQUIRE_SERVICES", False)
