"""The order lists' cache: a warm history page and API list read no orders, any move of an
order reaches the lists at once, and companies never read each other's entries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from commerce.ordering.cache import ALL, _family
from commerce.ordering.models import Order
from commerce.ordering.services import order_cancel, order_validate
from commerce.ordering.tests.conftest import login, place


@pytest.fixture(autouse=True)
def _cache_on(settings, alpha, x, y):
    settings.ORDERS_CACHE_SECONDS = 300
    for scope in (x.company.pk, y.company.pk, ALL):
        _family(str(scope)).bump(alpha.schema)  # a namespace of its own for this test


def test_a_warm_history_reads_no_orders_and_a_move_reaches_it_at_once(
    alpha, x, products, staff, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 2})
    client = login(alpha.client(), x.buyer.email)
    assert "Received by the supplier" in client.get("/orders/").content.decode()
    assert client.get("/api/v1/orders").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/orders/").status_code == 200
        assert client.get("/api/v1/orders").status_code == 200
    assert not any('"ordering_order"' in q["sql"] for q in warm.captured_queries)

    with schema_context(alpha.schema):
        # behind the services' back: not seen (the cache really serves)...
        Order.objects.filter(pk=order.pk).update(po_number="QUIET")
    assert "QUIET" not in client.get("/orders/").content.decode()
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        # ...a move through a service is, on commit, on the page and in the API
        order_validate(actor=staff["validator"], order=order)
    assert "Being checked by the supplier" in client.get("/orders/").content.decode()
    results = client.get("/api/v1/orders").json()["results"]
    assert [r["buyer_status"] for r in results] == ["Being checked by the supplier"]


def test_companies_never_read_each_others_history(
    alpha, x, y, products, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        mine = place(x, x.buyer, {products["BOLT"]: 2})
        theirs = place(y, y.buyer, {products["BOLT"]: 3})
    x_page = login(alpha.client(), x.buyer.email).get("/orders/").content.decode()
    y_page = login(alpha.client(), y.buyer.email).get("/orders/").content.decode()
    assert mine.number in x_page and theirs.number not in x_page
    assert theirs.number in y_page and mine.number not in y_page


def test_the_supplier_queue_is_cached_and_refreshed_by_a_cancel(
    alpha, x, products, staff, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        order = place(x, x.buyer, {products["BOLT"]: 2})
    client = login(alpha.client(), "validator@alpha.test")
    assert order.number in client.get("/backoffice/orders/?status=received").content.decode()
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        order_cancel(actor=staff["validator"], order=order, reason="Duplicate")
    page = client.get("/backoffice/orders/?status=received").content.decode()
    assert order.number not in page
