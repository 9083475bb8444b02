"""The baseline view: one query in ``public``, a short text answer."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse


def plain(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), (SELECT count(*) FROM sso_user)")
        schema, users = cursor.fetchone()
    return HttpResponse(f"{schema} {users}")
