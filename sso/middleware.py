"""Keeps "last seen" of signed-in sessions (``sso.services.sessions.touch``): no I/O on most
requests, one UPDATE per session and minute at most."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse

from sso.services.sessions import touch


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # The session was read by the request already when it is signed in (no extra read); a
        # session whose user was deactivated meanwhile is anonymous and is not touched.
        user = getattr(request, "user", None)
        if (
            session is not None
            and session.session_key
            and SESSION_KEY in session
            and user is not None
            and user.is_authenticated
        ):
            touch(request)
        return response
