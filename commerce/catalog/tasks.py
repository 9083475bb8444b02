"""Celery tasks of the catalogue. Each carries its schema (``tenants.tasks.SchemaBoundTask``)."""

from __future__ import annotations

from celery import shared_task

from tenants.tasks import SchemaBoundTask


@shared_task(base=SchemaBoundTask, name="catalog.run_import", acks_late=True)
def run_import_job(job_id: int) -> str:
    """Check or apply one CSV import (whichever its state asks for). Safe to run twice."""
    from commerce.catalog.imports import import_job_run

    return import_job_run(job_id=job_id)
