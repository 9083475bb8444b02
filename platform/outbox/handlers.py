"""Delivery handlers by message kind. A handler raises to signal a failed attempt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

Handler = Callable[[dict[str, Any], str], None]
_HANDLERS: dict[str, Handler] = {}


class UnknownKind(Exception):
    pass


def register(kind: str) -> Callable[[Handler], Handler]:
    def decorator(func: Handler) -> Handler:
        _HANDLERS[kind] = func
        return func

    return decorator


def handler_for(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError as exc:
        raise UnknownKind(f"no handler for outbox kind {kind!r}") from exc


@register("email")
def deliver_email(payload: dict[str, Any], idempotency_key: str) -> None:
    """Render a themed e-mail from ``templates/emails/<template>.{txt,html}`` and send it.

    The theme is loaded in the task's schema at delivery time, so the e-mail wears the
    tenant's current branding.
    """
    from branding.selectors import theme_for_current_tenant
    from core.tenancy import current_schema
    from tenants.selectors import portal_url

    schema = current_schema()
    context = {
        **payload.get("context", {}),
        "theme": theme_for_current_tenant(),
        "portal_url": portal_url(schema) if schema != "public" else "",
    }
    template = payload["template"]
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=text,
        from_email=payload.get("from_email") or settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        headers={"X-Portico-Message-Id": idempotency_key},
    )
    message.attach_alternative(html, "text/html")
    message.send(fail_silently=False)
