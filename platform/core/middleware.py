"""Binds the request context (correlation id, IP, user agent) for the audit log."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core import context
from core.snapshots import request_scope

_CORRELATION_RE = re.compile(r"^[A-Za-z0-9\-_.]{8,64}$")


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, for the audit log and the per-IP rate limits.

    With ``PORTICO_TRUSTED_PROXIES = n`` (our load balancer and proxies append to
    X-Forwarded-For), the client is the n-th address from the right of that header: what a
    client writes into the header itself stays to the left and is never taken. With 0 (no proxy
    of ours), or a header shorter than n or not an address, it is ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR") or None
    hops = int(settings.PORTICO_TRUSTED_PROXIES)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class CorrelationIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Correlation-Id", "")
        correlation_id = (
            incoming if _CORRELATION_RE.match(incoming) else context.new_correlation_id()
        )
        with (
            context.bind(
                correlation_id=correlation_id,
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", "")[:400],
            ),
            request_scope(),
        ):
            response = self.get_response(request)
        response["X-Correlation-Id"] = correlation_id
        return response


class DomainErrorMiddleware:
    """Pages: a ``NotFound`` domain error is a 404 and ``PermissionDenied`` a 403 — never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404

        from core.errors import NotFound, PermissionDenied

        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message) from exception
        return None
