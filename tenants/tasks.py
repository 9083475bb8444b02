"""The tenant-aware Celery task base: a task knows its schema or refuses to run."""

from __future__ import annotations

from typing import Any

from tenant_schemas_celery.task import TenantTask

from core import context
from core.tenancy import current_schema


class MissingSchema(RuntimeError):
    """A task arrived without the schema it belongs to, or its schema could not be entered."""


class SchemaBoundTask(TenantTask):
    """Base for every task that touches tenant (or control-plane) data.

    The schema travels in the ``_schema_name`` message header (tenant-schemas-celery puts the
    caller's schema there). A message without one is refused: running it in ``public`` by
    default, as plain tenant-schemas-celery does, would read or write the wrong data. So is a
    message whose schema could not be entered (no such tenant): tenant-schemas-celery logs that
    failure and leaves the connection in ``public``.
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        headers = self.request.headers or {}
        schema = headers.get("_schema_name") or self.request.get("_schema_name")
        if not schema:
            raise MissingSchema(
                f"task {self.name} refused: it carries no schema. Send it with "
                "apply_async(headers={'_schema_name': ...}) or from inside a tenant context."
            )
        if current_schema() != schema:
            raise MissingSchema(
                f"task {self.name} refused: its schema {schema!r} could not be entered "
                f"(no such tenant?); the connection is in {current_schema()!r}."
            )
        with context.bind(
            correlation_id=headers.get("correlation_id") or context.new_correlation_id()
        ):
            return super().__call__(*args, **kwargs)
