"""Settings come from the environment; production refuses to start without its secrets."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from control_plane import env

PRODUCTION = {
    "PORTICO_ENV": "production",
    "SECRET_KEY": "x" * 64,
    "DATABASE_URL": "postgres://portico:pw@db.internal:5432/portico",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_BACKEND": "smtp",
    "EMAIL_HOST": "smtp.internal",
}


@pytest.fixture
def environ(monkeypatch):
    for name in [*PRODUCTION, "CELERY_EAGER", "DEBUG", "SECURE_COOKIES", "TOTP_REQUIRED_FOR_STAFF"]:
        monkeypatch.delenv(name, raising=False)

    def apply(values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return apply


def test_production_with_everything_set_starts_secure(environ):
    environ(PRODUCTION)
    loaded = env.load()
    assert (loaded.production, loaded.debug, loaded.secure_cookies) == (True, False, True)
    assert loaded.database.host == "db.internal" and loaded.database.password == "pw"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is not set. Production needs a long random one."),
        ("DATABASE_URL", "DATABASE_URL is not set (postgres://user:pass@host/db)."),
        ("REDIS_URL", "REDIS_URL is not set (redis://host:6379/0)."),
        ("EMAIL_HOST", "EMAIL_HOST is not set: production sends e-mail over SMTP."),
    ],
)
def test_production_refuses_to_start_without(environ, missing, message):
    environ({k: v for k, v in PRODUCTION.items() if k != missing})
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env.load()
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"SECRET_KEY": "short"},
            "SECRET_KEY must be at least 50 random characters in production.",
        ),
        ({"CELERY_EAGER": "true"}, "CELERY_EAGER must not be set in production: run a worker."),
        (
            {"EMAIL_BACKEND": "console"},
            "EMAIL_BACKEND must be smtp in production (with EMAIL_HOST).",
        ),
        (
            {"DATABASE_URL": "mysql://x/y"},
            "DATABASE_URL must start with postgres:// (got scheme 'mysql').",
        ),
        (
            {"OUTBOX_MAX_ATTEMPTS": "many"},
            "OUTBOX_MAX_ATTEMPTS must be a whole number, got 'many'.",
        ),
        (
            {"TOTP_REQUIRED_FOR_STAFF": "false"},
            "TOTP_REQUIRED_FOR_STAFF cannot be turned off in production: staff and operators "
            "sign in with two-factor authentication.",
        ),
    ],
)
def test_production_refuses_unsafe_values(environ, extra, message):
    environ({**PRODUCTION, **extra})
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env.load()
    assert str(excinfo.value) == message


def test_development_has_safe_defaults(environ):
    loaded = env.load()
    assert loaded.production is False
    assert loaded.secret_key == env.DEV_SECRET_KEY
    assert loaded.database.name == "portico"
    assert loaded.secure_cookies is False
