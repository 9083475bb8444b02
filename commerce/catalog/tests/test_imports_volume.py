"""10,000 product rows are checked and applied in seconds (bulk writes, fixed query count)."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from commerce.catalog.imports import import_confirm, import_upload
from commerce.catalog.models import Product
from commerce.catalog.tests.support_backoffice import csv_file

ROWS = 10_000


def big_file(price: str) -> str:
    header = "sku,name,description,unit,pack_size,min_order_qty,order_multiple,list_price,attributes,active\n"
    return header + "".join(
        f"VOL-{i:05d},Volume item {i},Line {i},pcs,{i % 9 + 1},{(i % 3 + 1) * 2},2,{price},Grade: {i % 4},yes\n"
        for i in range(ROWS)
    )


def run(alpha, text: str) -> tuple[float, float, int]:
    with schema_context(alpha.schema):
        started = time.perf_counter()
        job = import_upload(actor=alpha.admin, kind="products", upload=csv_file(text))
        checked = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            job = import_confirm(actor=alpha.admin, job=job)
        applied = time.perf_counter()
        assert (job.status, job.error_count) == ("done", 0)
    return checked - started, applied - checked, len(queries.captured_queries)


def test_ten_thousand_rows_create_then_update_in_seconds(alpha, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CATALOG_IMPORT_ASYNC_ROWS = (
        ROWS  # run in-process here; the Celery path is tested apart
    )
    check_new, apply_new, queries_new = run(alpha, big_file("1.25"))
    check_upd, apply_upd, queries_upd = run(alpha, big_file("1.30"))
    print(
        f"\n10,000 new rows: check {check_new:.2f}s, apply {apply_new:.2f}s ({queries_new} queries);"
        f" 10,000 updated rows: check {check_upd:.2f}s, apply {apply_upd:.2f}s ({queries_upd} queries)"
    )
    with schema_context(alpha.schema):
        assert Product.objects.filter(sku__startswith="VOL-", list_price="1.30").count() == ROWS
    assert check_new + apply_new < 30
    assert check_upd + apply_upd < 30
    assert queries_new < 40
    assert queries_upd < 40
