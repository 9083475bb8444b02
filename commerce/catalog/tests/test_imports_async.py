"""Large CSV files go through Celery: checked and applied by a task carrying the schema, with a
polled progress bar; the task is safe to run twice."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import ImportJob, Product
from commerce.catalog.tasks import run_import_job
from commerce.catalog.tests.support_backoffice import csv_file


@pytest.fixture
def eager(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CATALOG_IMPORT_ASYNC_ROWS = 50


def test_a_large_file_is_checked_and_applied_by_celery_with_progress(
    alpha, admin_client, eager, django_capture_on_commit_callbacks
):
    text = "sku,name,pack_size\n" + "".join(
        f"BULK-{i:04d},Bulk item {i},{i % 7 + 1}\n" for i in range(120)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_client.post(
            "/backoffice/catalogue/imports/",
            {"kind": "products", "file": csv_file(text, "big.csv")},
        )
    with schema_context(alpha.schema):
        job = ImportJob.objects.get()
    assert (job.status, job.total_rows) == ("pending", 120)
    assert len(queued) == 1
    page = admin_client.get(response["Location"]).content.decode()
    assert f'hx-get="/backoffice/catalogue/imports/{job.public_id}/progress"' in page
    assert 'aria-valuenow="0"' in page

    with schema_context(alpha.schema):
        queued[0]()  # the broker delivers the check task (eager)
        job.refresh_from_db()
    assert (job.status, job.to_create, job.error_count) == ("ready", 120, 0)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/backoffice/catalogue/imports/{job.public_id}/confirm")

    with schema_context(alpha.schema):
        job.refresh_from_db()
        assert (job.status, job.progress_done, job.progress_total, job.progress_percent) == (
            "done",
            120,
            120,
            100,
        )
        assert Product.objects.filter(sku__startswith="BULK-").count() == 120
        assert Product.objects.get(sku="BULK-0013").pack_size == 7
        assert AuditEntry.objects.filter(action="catalog.import_applied").count() == 1
    progress = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/progress")
    assert progress["HX-Refresh"] == "true"
    assert 'aria-valuenow="100"' in progress.content.decode()

    # Delivered twice (acks_late, a worker restart): nothing happens the second time.
    with schema_context(alpha.schema):
        assert (
            run_import_job.apply(args=[job.pk], headers={"_schema_name": alpha.schema}).get()
            == "done"
        )
        assert Product.objects.filter(sku__startswith="BULK-").count() == 120
        assert AuditEntry.objects.filter(action="catalog.import_applied").count() == 1
