"""The two bench views, identical in every configuration."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse


def ok(request: HttpRequest) -> HttpResponse:
    """No database: measures routing + middleware + WSGI only."""
    return HttpResponse("ok")


def db(request: HttpRequest) -> HttpResponse:
    """One query on a table that exists in every schema (``sso_user``), in the current one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), (SELECT count(*) FROM sso_user)")
        schema, users = cursor.fetchone()
    return HttpResponse(f"{schema} {users}")
