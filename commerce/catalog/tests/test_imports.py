"""CSV imports: every row checked, each error kind reported with its row and exact message,
nothing half-applied, one audit entry per applied import, exports import back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import ImportJob, Product, StockLevel
from commerce.catalog.services import category_create, warehouse_create
from commerce.catalog.tests.support_backoffice import csv_file
from commerce.pricing.models import PriceList, PriceListItem
from tests.factories import (
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    StockLevelFactory,
)

PRODUCTS_HEADER = (
    "sku,name,description,category,unit,pack_size,pallet_quantity,min_order_qty,order_multiple,"
    "lead_time_days,list_price,attributes,active,external_ref"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def products_state():
    return list(
        Product.objects.order_by("sku").values_list(
            "sku",
            "name",
            "category__name",
            "pack_size",
            "min_order_qty",
            "order_multiple",
            "list_price",
            "attributes",
            "active",
        )
    )


def job_for(alpha, client, kind, text):
    response = client.post("/backoffice/catalogue/imports/", {"kind": kind, "file": csv_file(text)})
    assert response.status_code == 302
    with schema_context(alpha.schema):
        return ImportJob.objects.order_by("-id").first()


@pytest.fixture
def catalogue(alpha, admin):
    with schema_context(alpha.schema):
        tools = category_create(actor=admin, name="Tools")
        category_create(actor=admin, name="Hammers", parent=tools)
        ProductFactory(sku="HAM-1", name="Claw hammer", list_price=Decimal("19.9500"))
        ProductFactory(sku="SAW-1", name="Saw", list_price=Decimal("25.0000"))
        warehouse_create(actor=admin, code="AMS", name="Amsterdam")


def test_preview_counts_then_apply_creates_and_updates_exactly(alpha, admin_client, catalogue):
    text = (
        f"{PRODUCTS_HEADER}\n"
        "HAM-1,Claw hammer,A sturdy product.,,pcs,1,,1,1,0,19.95,,yes,\n"  # unchanged
        "SAW-1,Hand saw,A sturdy product.,Tools > Hammers,pcs,1,,1,1,0,27.5,Teeth: 24,yes,\n"
        'NEW-1,Nail box,"Box of 100, galvanised",tools,box,100,4800,2,2,5,"4,99",Size: 3 cm,no,ERP-9\n'
    )
    job = job_for(alpha, admin_client, "products", text)
    assert (
        job.status,
        job.total_rows,
        job.to_create,
        job.to_update,
        job.unchanged,
        job.error_count,
    ) == (
        "ready",
        3,
        1,
        1,
        1,
        0,
    )
    assert job.preview["create"] == [{"row": 4, "key": "NEW-1", "summary": "Nail box"}]
    assert job.preview["update"] == [
        {
            "row": 3,
            "key": "SAW-1",
            "changes": {
                "name": ["Saw", "Hand saw"],
                "category": ["—", "Hammers"],
                "list price": ["25.0000", "27.5"],
                "attributes": ["", "Teeth: 24"],
            },
        }
    ]
    page = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/").content.decode()
    assert "Apply 2 changes" in page
    with schema_context(alpha.schema):
        before = products_state()
    assert before == [
        ("HAM-1", "Claw hammer", None, 1, 1, 1, Decimal("19.9500"), {}, True),
        ("SAW-1", "Saw", None, 1, 1, 1, Decimal("25.0000"), {}, True),
    ]

    response = admin_client.post(f"/backoffice/catalogue/imports/{job.public_id}/confirm")
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert products_state() == [
            ("HAM-1", "Claw hammer", None, 1, 1, 1, Decimal("19.9500"), {}, True),
            ("NEW-1", "Nail box", "Tools", 100, 2, 2, Decimal("4.9900"), {"Size": "3 cm"}, False),
            ("SAW-1", "Hand saw", "Hammers", 1, 1, 1, Decimal("27.5000"), {"Teeth": "24"}, True),
        ]
        new = Product.objects.get(sku="NEW-1")
        assert (
            new.description,
            new.unit,
            new.pallet_quantity,
            new.lead_time_days,
            new.external_ref,
        ) == (
            "Box of 100, galvanised",
            "box",
            4800,
            5,
            "ERP-9",
        )
        job.refresh_from_db()
        assert (job.status, job.progress_percent) == ("done", 100)
        [entry] = AuditEntry.objects.filter(action="catalog.import_applied")
        assert entry.details == {
            "kind": "products",
            "file": "upload.csv",
            "rows": 3,
            "created": 1,
            "updated": 1,
            "unchanged": 1,
        }
        assert entry.object_id == str(job.public_id)
        assert not AuditEntry.objects.filter(action__startswith="catalog.product_").exists()
    again = admin_client.post(f"/backoffice/catalogue/imports/{job.public_id}/confirm", follow=True)
    assert "This import has already been applied." in again.content.decode()


PRODUCT_ERRORS = [
    (
        "BAD-1,Thing,,,pcs,2.5,,1,1,0,1,,yes,",
        "pack_size",
        "row 2: pack size must be a whole number, got 2.5",
    ),
    (
        "BAD-1,Thing,,,pcs,1,,1,1,0,12.5.0,,yes,",
        "list_price",
        "row 2: list price must be an amount like 12.50, got 12.5.0",
    ),
    (
        "BAD-1,Thing,,,pcs,1,,1,1,0,-3,,yes,",
        "list_price",
        "row 2: list price must not be negative, got -3",
    ),
    (
        "BAD-1,Thing,,Garden,pcs,1,,1,1,0,1,,yes,",
        "category",
        "row 2: unknown category “Garden”; write its full path as shown on the Categories page (for example “Fasteners > Screws”) or leave it empty",
    ),
    (
        "BAD-1,Thing,,,pcs,1,,10,4,0,1,,yes,",
        "min_order_qty",
        "row 2: minimum order quantity 10 must be a multiple of the order multiple 4 (for example 8 or 12)",
    ),
    (
        "BAD-1,Thing,,,pcs,1,,1,1,0,1,,maybe,",
        "active",
        "row 2: active must be yes or no, got maybe",
    ),
    ("BAD-1,,,,pcs,1,,1,1,0,1,,yes,", "name", "row 2: name is required"),
    (
        "BAD 1,Thing,,,pcs,1,,1,1,0,1,,yes,",
        "sku",
        "row 2: SKU BAD 1 may only contain letters, digits and . _ / - (no spaces), starting with a letter or digit",
    ),
    (
        "BAD-1,Thing,,,pcs,1,,1,1,0,1,oops,yes,",
        "attributes",
        "row 2: attributes must be written as name: value, got oops",
    ),
    ("BAD-1,Thing,,,pcs,1,,1,1,0,1,,yes", "", "row 2: has 13 values but the header has 14 columns"),
    (
        "BAD-1,Thing,,,pcs,1,,1,1,0,1,,yes,ERP-HAM",
        "external_ref",
        "row 2: external reference ERP-HAM belongs to SKU HAM-1",
    ),
]


@pytest.mark.parametrize(("line", "column", "message"), PRODUCT_ERRORS)
def test_each_product_error_kind_is_reported_with_its_row(
    alpha, admin_client, catalogue, line, column, message
):
    with schema_context(alpha.schema):
        Product.objects.filter(sku="HAM-1").update(external_ref="ERP-HAM")
    job = job_for(alpha, admin_client, "products", f"{PRODUCTS_HEADER}\n{line}\n")
    assert (job.status, job.error_count) == ("failed", 1)
    assert job.errors[0]["column"] == column
    page = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/")
    assert page.context["errors"] == [message]
    assert "Apply" not in page.content.decode()


def test_a_file_with_one_bad_row_changes_nothing(alpha, admin_client, catalogue):
    rows = [f"OK-{i},Good {i},,,pcs,1,,1,1,0,1.00,,yes," for i in range(12)]
    rows.insert(12, "OK-X,Bad,,,pcs,2.5,,1,1,0,1,,yes,")  # row 14 of the file
    with schema_context(alpha.schema):
        before = products_state()
    job = job_for(alpha, admin_client, "products", PRODUCTS_HEADER + "\n" + "\n".join(rows) + "\n")
    assert (job.status, job.to_create, job.error_count) == ("failed", 12, 1)
    page = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/")
    assert page.context["errors"] == ["row 14: pack size must be a whole number, got 2.5"]
    refused = admin_client.post(
        f"/backoffice/catalogue/imports/{job.public_id}/confirm", follow=True
    )
    assert "This import has errors; upload a corrected file." in refused.content.decode()
    with schema_context(alpha.schema):
        assert products_state() == before
        assert not AuditEntry.objects.filter(action="catalog.import_applied").exists()


def test_apply_checks_again_and_applies_nothing_if_the_data_changed(
    alpha, admin, admin_client, catalogue
):
    with schema_context(alpha.schema):
        ProductFactory(sku="ELSE-1", external_ref="")
    job = job_for(
        alpha,
        admin_client,
        "products",
        "sku,name,external_ref\nNEW-5,Five,\nHAM-1,Claw hammer,ERP-7\n",
    )
    assert job.status == "ready"
    with schema_context(alpha.schema):
        Product.objects.filter(sku="ELSE-1").update(external_ref="ERP-7")
        before = products_state()
    admin_client.post(f"/backoffice/catalogue/imports/{job.public_id}/confirm")
    with schema_context(alpha.schema):
        job.refresh_from_db()
        assert (job.status, job.failure) == (
            "failed",
            "The data changed since the check; nothing was applied.",
        )
        assert job.errors == [
            {
                "row": 3,
                "column": "external_ref",
                "message": "external reference ERP-7 belongs to SKU ELSE-1",
            }
        ]
        assert products_state() == before


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (
            "products",
            "sku,title\nA,B\n",
            "row 1: unknown column “title”; the header must be: "
            + PRODUCTS_HEADER
            + " (required: sku, name)",
        ),
        (
            "products",
            "sku,pack_size\nA,1\n",
            "row 1: missing required column “name”; the header must be: "
            + PRODUCTS_HEADER
            + " (required: sku, name)",
        ),
        (
            "stock",
            "sku;on_hand\nA;1\n",
            "row 1: missing required column “warehouse”; the header must be: sku,warehouse,on_hand (required: sku, warehouse, on_hand)",
        ),
        ("products", "\n\n", "The file is empty: it has no header row."),
    ],
)
def test_header_problems_name_the_column_and_the_expected_header(
    alpha, admin_client, kind, text, message
):
    job = job_for(alpha, admin_client, kind, text)
    assert job.status == "failed"
    page = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/")
    assert page.context["errors"] == [message]


def test_a_file_that_is_not_utf8_is_refused(alpha, admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = admin_client.post(
        "/backoffice/catalogue/imports/",
        {
            "kind": "products",
            "file": SimpleUploadedFile("x.csv", "sku,name\nA,Café\n".encode("cp1252")),
        },
    )
    with schema_context(alpha.schema):
        job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.errors[0]["message"].startswith("The file is not UTF-8 text.")


def test_stock_import_reports_each_error_and_applies(alpha, admin, admin_client, catalogue):
    with schema_context(alpha.schema):
        StockLevelFactory(
            product=Product.objects.get(sku="SAW-1"),
            warehouse=warehouse_create(actor=admin, code="RTM", name="R"),
            on_hand=9,
            reserved=5,
        )
    bad = (
        "sku,warehouse,on_hand\n"
        "NOPE-1,AMS,5\n"
        "HAM-1,XYZ,5\n"
        "HAM-1,AMS,1.5\n"
        "SAW-1,RTM,4\n"
        "HAM-1,AMS,3\n"
        "ham-1,ams,4\n"
    )
    job = job_for(alpha, admin_client, "stock", bad)
    page = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/")
    assert page.context["errors"] == [
        "row 2: unknown SKU “NOPE-1”; create the product first (or import products before this file)",
        "row 3: unknown warehouse “XYZ”; known warehouse codes: AMS, RTM",
        "row 4: on-hand quantity must be a whole number, got 1.5",
        "row 5: on-hand quantity cannot go below the 5 units reserved for open orders, got 4",
        "row 7: SKU HAM-1 in warehouse AMS appears again (first on row 6)",
    ]
    good = job_for(
        alpha,
        admin_client,
        "stock",
        "sku,warehouse,on_hand\nHAM-1,AMS,3\nSAW-1,RTM,9\nsaw-1,ams,12\n",
    )
    assert (good.to_create, good.to_update, good.unchanged) == (2, 0, 1)
    admin_client.post(f"/backoffice/catalogue/imports/{good.public_id}/confirm")
    with schema_context(alpha.schema):
        assert sorted(
            StockLevel.objects.values_list("product__sku", "warehouse__code", "on_hand")
        ) == [
            ("HAM-1", "AMS", 3),
            ("SAW-1", "AMS", 12),
            ("SAW-1", "RTM", 9),
        ]


def test_price_list_import_creates_missing_lists_in_the_portal_currency(
    alpha, admin_client, catalogue
):
    with schema_context(alpha.schema):
        retail = PriceListFactory(name="Retail", external_ref="PL-R")
        PriceListItemFactory(
            price_list=retail,
            product=Product.objects.get(sku="HAM-1"),
            min_quantity=1,
            unit_price=Decimal("18.0000"),
        )
    text = (
        "price_list,sku,min_quantity,unit_price\n"
        "PL-R,HAM-1,1,18.00\n"
        "PL-R,HAM-1,10,16.50\n"
        'retail,SAW-1,1,"23,00"\n'
        "Wholesale 2026,HAM-1,1,15\n"
        "Wholesale 2026,NOPE,1,15\n"
        "Wholesale 2026,SAW-1,0,15\n"
        "Wholesale 2026,SAW-1,5,abc\n"
    )
    job = job_for(alpha, admin_client, "price_lists", text)
    page = admin_client.get(f"/backoffice/catalogue/imports/{job.public_id}/")
    assert page.context["errors"] == [
        "row 6: unknown SKU “NOPE”; create the product first (or import products before this file)",
        "row 7: minimum quantity must be at least 1, got 0",
        "row 8: unit price must be an amount like 12.50, got abc",
    ]
    with schema_context(alpha.schema):
        assert PriceList.objects.count() == 1
    job = job_for(alpha, admin_client, "price_lists", "\n".join(text.splitlines()[:5]) + "\n")
    assert (job.to_create, job.to_update, job.unchanged) == (3, 0, 1)
    assert job.preview["notes"] == ["1 new price list will be created in EUR: Wholesale 2026"]
    admin_client.post(f"/backoffice/catalogue/imports/{job.public_id}/confirm")
    with schema_context(alpha.schema):
        assert sorted(
            PriceListItem.objects.values_list(
                "price_list__name",
                "price_list__currency",
                "product__sku",
                "min_quantity",
                "unit_price",
            )
        ) == [
            ("Retail", "EUR", "HAM-1", 1, Decimal("18.0000")),
            ("Retail", "EUR", "HAM-1", 10, Decimal("16.5000")),
            ("Retail", "EUR", "SAW-1", 1, Decimal("23.0000")),
            ("Wholesale 2026", "EUR", "HAM-1", 1, Decimal("15.0000")),
        ]


@pytest.mark.parametrize("kind", ["products", "stock", "price_lists"])
def test_export_then_import_is_unchanged(alpha, admin, admin_client, catalogue, kind):
    with schema_context(alpha.schema):
        ham = Product.objects.get(sku="HAM-1")
        Product.objects.filter(pk=ham.pk).update(
            attributes={"Colour": "red", "Weight": "1,2 kg"},
            description='Line one, "quoted"\nline two',
            category=category_create(actor=admin, name="Misc"),
            pallet_quantity=240,
            active=False,
        )
        StockLevelFactory(
            product=ham, warehouse=warehouse_create(actor=admin, code="RTM", name="R"), on_hand=7
        )
        pl = PriceListFactory(name="Trade")
        PriceListItemFactory(
            price_list=pl, product=ham, min_quantity=12, unit_price=Decimal("3.1250")
        )
    response = admin_client.get(f"/backoffice/catalogue/export/{kind}.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    job = job_for(alpha, admin_client, kind, body.lstrip("\ufeff"))
    assert (job.status, job.to_create, job.to_update, job.error_count) == ("ready", 0, 0, 0)
    assert job.unchanged == {"products": 2, "stock": 1, "price_lists": 1}[kind]


@pytest.mark.parametrize("clock", [datetime(2026, 12, 31, 23, 30, tzinfo=UTC)], indirect=True)
def test_an_export_is_named_after_the_suppliers_date_and_time(clock, admin_client, catalogue):
    # 23:30 UTC on New Year's Eve is 00:30 on 1 January in Amsterdam
    response = admin_client.get("/backoffice/catalogue/export/products.csv")
    assert response["Content-Disposition"] == 'attachment; filename="products-20270101-0030.csv"'


def test_other_staff_cannot_import(alpha, validator_client):
    response = validator_client.post(
        "/backoffice/catalogue/imports/", {"kind": "products", "file": csv_file("sku,name\nA,B\n")}
    )
    assert response.status_code == 403
    with schema_context(alpha.schema):
        assert not ImportJob.objects.exists()
