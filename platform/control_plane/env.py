"""Every setting read from the environment is read here, once.

Development gets safe defaults; production (``PORTICO_ENV=production``) refuses to start when a
secret or an integration setting is missing, with a message that names it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105


def _get(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def _bool(name: str, default: bool) -> bool:
    value = _get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {value!r}.")


def _int(name: str, default: int) -> int:
    value = _get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from exc


def _float(name: str, default: float) -> float:
    value = _get(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {value!r}.") from exc


@dataclass(frozen=True)
class DatabaseConfig:
    name: str
    user: str
    password: str
    host: str
    port: int


def parse_database_url(url: str) -> DatabaseConfig:
    """Parse ``postgres://user:pass@host:port/name`` (a socket dir may be given as ``?host=``)."""
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL must start with postgres:// (got scheme {parts.scheme!r})."
        )
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL has no database name: add /portico at its end.")
    query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
    return DatabaseConfig(
        name=name,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        host=unquote(query.get("host", parts.hostname or "127.0.0.1")),
        port=parts.port or 5432,
    )


@dataclass(frozen=True)
class Env:
    production: bool
    debug: bool
    secret_key: str
    database: DatabaseConfig
    redis_url: str
    celery_eager: bool
    base_domain: str
    public_host: str
    port_suffix: str
    media_root: str
    email_backend: str
    email_host: str
    email_port: int
    email_file_path: str
    default_from_email: str
    outbox_backoff_base: float
    outbox_backoff_cap: float
    outbox_max_attempts: int
    routing_cache_seconds: float
    catalogue_cache_seconds: int
    snapshot_cache_seconds: int
    orders_cache_seconds: int
    db_conn_max_age: int
    secure_cookies: bool
    log_level: str
    totp_required_for_staff: bool
    trusted_proxies: int


def _secret_key(production: bool) -> str:
    secret_key = _get("SECRET_KEY")
    if secret_key is None:
        if production:
            raise ImproperlyConfigured("SECRET_KEY is not set. Production needs a long random one.")
        return DEV_SECRET_KEY
    if production and (secret_key == DEV_SECRET_KEY or len(secret_key) < 50):
        raise ImproperlyConfigured(
            "SECRET_KEY must be at least 50 random characters in production."
        )
    return secret_key


def _required(name: str, production: bool, dev_default: str, example: str) -> str:
    value = _get(name)
    if value is None:
        if production:
            raise ImproperlyConfigured(f"{name} is not set ({example}).")
        return dev_default
    return value


def load() -> Env:
    production = _get("PORTICO_ENV", "development") == "production"
    secret_key = _secret_key(production)

    database_url = _required(
        "DATABASE_URL",
        production,
        "postgres://postgres@127.0.0.1:5432/portico",
        "postgres://user:pass@host/db",
    )
    redis_url = _required(
        "REDIS_URL", production, "redis://127.0.0.1:6379/0", "redis://host:6379/0"
    )

    celery_eager = _bool("CELERY_EAGER", False)
    if production and celery_eager:
        raise ImproperlyConfigured("CELERY_EAGER must not be set in production: run a worker.")

    email_backend = _get("EMAIL_BACKEND", "console") or "console"
    if production and email_backend != "smtp":
        raise ImproperlyConfigured("EMAIL_BACKEND must be smtp in production (with EMAIL_HOST).")
    if production and _get("EMAIL_HOST") is None:
        raise ImproperlyConfigured("EMAIL_HOST is not set: production sends e-mail over SMTP.")

    totp_required_for_staff = _bool("TOTP_REQUIRED_FOR_STAFF", True)
    if production and not totp_required_for_staff:
        raise ImproperlyConfigured(
            "TOTP_REQUIRED_FOR_STAFF cannot be turned off in production: staff and operators "
            "sign in with two-factor authentication."
        )

    base_domain = _get("PORTICO_BASE_DOMAIN", "portico.localhost") or "portico.localhost"
    return Env(
        production=production,
        debug=_bool("DEBUG", not production),
        secret_key=secret_key,
        database=parse_database_url(database_url),
        redis_url=redis_url,
        celery_eager=celery_eager,
        base_domain=base_domain,
        public_host=_get("PORTICO_PUBLIC_HOST", base_domain) or base_domain,
        port_suffix=_get("PORTICO_PORT_SUFFIX", "" if production else ":8000") or "",
        media_root=_get("MEDIA_ROOT", ".data/media") or ".data/media",
        email_backend=email_backend,
        email_host=_get("EMAIL_HOST", "127.0.0.1") or "127.0.0.1",
        email_port=_int("EMAIL_PORT", 25),
        email_file_path=_get("EMAIL_FILE_PATH", ".data/mail") or ".data/mail",
        default_from_email=_get("DEFAULT_FROM_EMAIL", "Portico <no-reply@portico.localhost>") or "",
        outbox_backoff_base=_float("OUTBOX_BACKOFF_BASE", 30.0),
        outbox_backoff_cap=_float("OUTBOX_BACKOFF_CAP", 3600.0),
        outbox_max_attempts=_int("OUTBOX_MAX_ATTEMPTS", 8),
        routing_cache_seconds=_float("ROUTING_CACHE_SECONDS", 30.0),
        catalogue_cache_seconds=_int("CATALOGUE_CACHE_SECONDS", 600),
        snapshot_cache_seconds=_int("SNAPSHOT_CACHE_SECONDS", 300),
        orders_cache_seconds=_int("ORDERS_CACHE_SECONDS", 300),
        db_conn_max_age=_int("DB_CONN_MAX_AGE", 300),
        secure_cookies=_bool("SECURE_COOKIES", production),
        log_level=_get("LOG_LEVEL", "INFO") or "INFO",
        totp_required_for_staff=totp_required_for_staff,
        trusted_proxies=_int("TRUSTED_PROXIES", 0),
    )
