"""Factories for outbox rows in a given state (test set-up only: the product writes through
``outbox.services``). They write in the schema in force, without queueing anything."""

from __future__ import annotations

import factory
from django.utils import timezone

from outbox.choices import OutboxStatus
from outbox.models import OutboxMessage


def email_payload(to: str, *, subject: str = "Your order has shipped") -> dict[str, object]:
    """An e-mail of the ``welcome`` template (the one template the product has today)."""
    return {
        "template": "welcome",
        "to": [to],
        "subject": subject,
        "context": {
            "name": "Bea Buyer",
            "company": "Buyer Co",
            "email": to,
            "portal_url": "http://portal.example.test",
        },
    }


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxMessage

    kind = "email"
    payload = factory.LazyAttribute(lambda _: email_payload("bea@buyer.test"))
    status = OutboxStatus.PENDING
    attempts = 0
    max_attempts = 3
    next_attempt_at = factory.LazyFunction(timezone.now)
