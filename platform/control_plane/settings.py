"""Portico settings. Values come from ``control_plane.env`` (the environment), nowhere else."""

from __future__ import annotations

from pathlib import Path

from control_plane import env as env_module

ENV = env_module.load()
BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
# Tenants bring their own custom domains, so the host allow-list cannot be static. The tenant
# routing middleware is the gate: a host that is not a known domain gets a plain 404.
ALLOWED_HOSTS = ["*"]

PORTICO_BASE_DOMAIN = ENV.base_domain
PORTICO_PUBLIC_HOST = ENV.public_host
PORTICO_PORT_SUFFIX = ENV.port_suffix
PORTICO_SCHEME = "https" if ENV.production else "http"
PORTICO_TEMPLATE_SCHEMA = "_portico_template"
PORTICO_ROUTING_CACHE_SECONDS = ENV.routing_cache_seconds

# --- Tenancy line (DESIGN.md §3). A test fails if an app is in neither list. ---------------------
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "control_plane",
    "core",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sso",
    "audit",
    "outbox",
    # Operators (public) sign in with TOTP too: the django-otp tables live in both lists.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "sso",
    "audit",
    "outbox",
    "django.contrib.postgres",
    "branding",
    "commerce",
    "commerce.catalog",
    "commerce.customers",
    "commerce.pricing",
    "commerce.ordering",
    "api",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "sso.saml",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "control_plane.urls_public"
ROOT_URLCONF = "control_plane.urls_tenant"
# Only issue `SET search_path` when the schema of a connection really changes.
TENANT_LIMIT_SET_CALLS = True
TENANT_COLOR_ADMIN_APPS = False

MIDDLEWARE = [
    "tenants.middleware.TenantRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.CorrelationIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sso.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DomainErrorMiddleware",
]

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
                "branding.context_processors.theme",
            ],
        },
    }
]

WSGI_APPLICATION = "control_plane.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "tenants.postgresql_backend",
        "NAME": ENV.database.name,
        "USER": ENV.database.user,
        "PASSWORD": ENV.database.password,
        "HOST": ENV.database.host,
        "PORT": str(ENV.database.port),
        # Persistent connections: a new connection per request costs ~9 ms here (PITFALLS.md).
        "CONN_MAX_AGE": ENV.db_conn_max_age,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": f"test_{ENV.database.name}"},
    }
}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sso.User"
AUTHENTICATION_BACKENDS = ["sso.backends.PorticoBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "sso:login"

# Sessions and users live per schema; cookies are host-only (never a parent-domain cookie).
# Sessions are read from the cache (its keys carry the schema) and written through to the DB.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = ENV.secure_cookies
CSRF_COOKIE_SECURE = ENV.secure_cookies
SESSION_COOKIE_NAME = "__Host-portico_session" if ENV.secure_cookies else "portico_session"
CSRF_COOKIE_NAME = "__Host-portico_csrf" if ENV.secure_cookies else "portico_csrf"
# No script reads the CSRF cookie (pages and htmx send the token from the page).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Every portal is its own origin and Django checks Origin against the request's Host: no
# trusted origins are needed, and a wildcard is never allowed (tests/test_security_settings.py).
CSRF_TRUSTED_ORIGINS: list[str] = []
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if ENV.production:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000

# --- Sign-in hardening (sso/README.md) --------------------------------------------------------
# TOTP: codes of the current 30-second step and one step either side are accepted, each once;
# no drift learning (the window stays where it is documented). Failed guesses double the wait
# per device (1, 2, 4, 8 … seconds, django-otp's throttling).
OTP_TOTP_SYNC = False
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Supplier staff and operators must use TOTP (the test suite turns this off except where the
# policy itself is tested; production refuses to turn it off).
PORTICO_TOTP_REQUIRED_FOR_STAFF = ENV.totp_required_for_staff
# How many proxies of ours (load balancer, ...) stand before the app and append to
# X-Forwarded-For: the client is that many addresses from its right end (core.middleware).
PORTICO_TRUSTED_PROXIES = ENV.trusted_proxies
# A password step waits this long for its second step; a reset link lives this long.
PORTICO_LOGIN_PENDING_SECONDS = 600
PASSWORD_RESET_TIMEOUT = 3600
# Redis-backed limits per schema: (attempts, window in seconds) per account and per IP.
PORTICO_RATE_LIMITS = {
    "login:account": (10, 900),
    "login:ip": (50, 900),
    "otp:account": (10, 900),
    "otp:ip": (50, 900),
    "reset:account": (3, 3600),
    "reset:ip": (20, 3600),
    # refused posts to a SAML ACS (a public URL): past this an address gets a 429 and no
    # audit entry or connection error is written for it, so nobody floods either
    "saml:ip": (30, 900),
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = (BASE_DIR / ENV.media_root).resolve()
STORAGES = {
    "default": {"BACKEND": "core.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": ENV.redis_url,
        # Every key carries the schema: tenants never share cache entries (PITFALLS.md).
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "TIMEOUT": 300,
    }
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = ENV.redis_url
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = ENV.celery_eager
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "outbox.sweep_all_schemas", "schedule": 60.0},
}

# Priced catalogue pages and API lists are cached per company (commerce.catalog.cache).
CATALOGUE_CACHE_SECONDS = ENV.catalogue_cache_seconds

# The signed-in user, portal settings and theme are read from snapshots (core.snapshots).
SNAPSHOT_CACHE_SECONDS = ENV.snapshot_cache_seconds

# Rendered order lists (buyer history, supplier queue) are cached (commerce.ordering.cache).
ORDERS_CACHE_SECONDS = ENV.orders_cache_seconds

# CSV imports: files above this many rows are validated and applied by a worker.
CATALOG_IMPORT_ASYNC_ROWS = 500
CATALOG_IMPORT_MAX_ROWS = 100_000

OUTBOX_BACKOFF_BASE = ENV.outbox_backoff_base
OUTBOX_BACKOFF_CAP = ENV.outbox_backoff_cap
OUTBOX_MAX_ATTEMPTS = ENV.outbox_max_attempts

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}[ENV.email_backend]
EMAIL_HOST = ENV.email_host
EMAIL_PORT = ENV.email_port
EMAIL_TIMEOUT = 10
EMAIL_FILE_PATH = str((BASE_DIR / ENV.email_file_path).resolve())
DEFAULT_FROM_EMAIL = ENV.default_from_email

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.DecimalJSONParser"],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portico tenant API",
    "DESCRIPTION": (
        "The API of one supplier's portal. Every path is served on the tenant's own host; "
        "authenticate with a session or an API key (`Authorization: Api-Key <key>`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
}
