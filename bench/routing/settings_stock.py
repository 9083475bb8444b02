"""Portico with stock django-tenants routing: ``TenantMainMiddleware`` (a domain query per
request) and the stock backend with ``TENANT_LIMIT_SET_CALLS = False`` (its default)."""

from bench.routing.settings_portico import *  # noqa: F403
from bench.routing.settings_portico import DATABASES, MIDDLEWARE

MIDDLEWARE = ["django_tenants.middleware.main.TenantMainMiddleware", *MIDDLEWARE[1:]]
DATABASES = {"default": {**DATABASES["default"], "ENGINE": "django_tenants.postgresql_backend"}}
TENANT_LIMIT_SET_CALLS = False
