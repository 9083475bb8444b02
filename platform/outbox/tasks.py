"""Celery tasks of the outbox. Each carries its schema (``tenants.tasks.SchemaBoundTask``)."""

from __future__ import annotations

from celery import shared_task
from django_tenants.utils import schema_context

from tenants.tasks import SchemaBoundTask


@shared_task(base=SchemaBoundTask, name="outbox.deliver", acks_late=True)
def deliver_outbox_message(message_id: int) -> str:
    from outbox.services import outbox_deliver

    return outbox_deliver(message_id=message_id)


@shared_task(base=SchemaBoundTask, name="outbox.sweep_all_schemas")
def sweep_all_schemas() -> int:
    """Periodic: queue due messages in every schema (public and each serving tenant)."""
    from outbox.services import outbox_dispatch_due
    from tenants.selectors import tenant_schema_names

    total = 0
    for schema in ["public", *tenant_schema_names()]:
        with schema_context(schema):
            total += outbox_dispatch_due()
    return total
