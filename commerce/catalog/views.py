"""Catalogue back-office pages (supplier staff; administrators and account managers change).

Thin: parse the form, call a service or selector, render. Domain ``NotFound`` and
``PermissionDenied`` become 404 and 403 in ``core.middleware``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.catalog import imports, services
from commerce.catalog.access import (
    access_category_by_id,
    access_import_job_by_id,
    access_product_by_id,
    access_product_image_by_id,
    access_warehouse_by_id,
)
from commerce.catalog.errors import CatalogError
from commerce.catalog.forms import (
    CategoryForm,
    ImageForm,
    ImportForm,
    ProductForm,
    StockForm,
    WarehouseForm,
    add_domain_error,
)
from commerce.catalog.imports.kinds import COLUMNS
from commerce.catalog.models import ImportKind, ImportStatus, Product
from commerce.catalog.policies import can_edit_catalogue, require_catalogue_editor
from commerce.catalog.rules import format_attributes, format_flag, format_price
from commerce.catalog.selectors import backoffice as selectors
from commerce.selectors import portal_zone
from sso.decorators import staff_required

View = Callable[..., HttpResponse]


def editor_required(view: View) -> View:
    """Staff page whose POST changes the catalogue: other staff roles get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_catalogue_editor(request.user)
        return view(request, *args, **kwargs)

    return staff_required(wrapper)


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> Any:
    context.setdefault("can_edit", can_edit_catalogue(request.user))
    return render(request, f"backoffice/catalogue/{template}", context, status=status)


# --- categories --------------------------------------------------------------------------------


@require_GET
@staff_required
def catalogue_home(request: HttpRequest) -> HttpResponse:
    return redirect("catalog-backoffice:products")


@require_http_methods(["GET", "POST"])
@staff_required
def categories(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None, actor=request.user)
    status = 200
    if request.method == "POST":
        require_catalogue_editor(request.user)
        if form.is_valid():
            try:
                category = services.category_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Category “{category.name}” added.")
                return redirect("catalog-backoffice:categories")
        status = 400
    return _page(
        request, "categories.html", {"form": form, "tree": selectors.category_tree()}, status
    )


@require_http_methods(["GET", "POST"])
@staff_required
def category_edit(request: HttpRequest, category_id: str) -> HttpResponse:
    category = access_category_by_id(request.user, category_id)
    initial = {
        "name": category.name,
        "parent": str(category.parent.public_id) if category.parent else "",
    }
    form = CategoryForm(request.POST or None, actor=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        require_catalogue_editor(request.user)
        if form.is_valid():
            try:
                services.category_update(
                    actor=request.user,
                    category=category,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Category saved.")
                return redirect("catalog-backoffice:categories")
        status = 400
    return _page(request, "category_edit.html", {"form": form, "category": category}, status)


@require_POST
@editor_required
def category_delete(request: HttpRequest, category_id: str) -> HttpResponse:
    category = access_category_by_id(request.user, category_id)
    try:
        services.category_delete(actor=request.user, category=category)
    except CatalogError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Category “{category.name}” deleted.")
    return redirect("catalog-backoffice:categories")


# --- products ----------------------------------------------------------------------------------


def _filters(request: HttpRequest) -> selectors.ProductFilters:
    category = None
    if request.GET.get("category"):
        category = access_category_by_id(request.user, request.GET["category"])
    active = {"yes": True, "no": False}.get(request.GET.get("active", ""))
    return selectors.ProductFilters(request.GET.get("q", "").strip(), category, active)


@require_GET
@staff_required
def products(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    page = selectors.products_page(filters, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "products.html",
        {
            "page": page,
            "filters": filters,
            "categories": selectors.category_tree(),
            "query": query.urlencode(),
        },
    )


def _product_form_page(request: HttpRequest, product: Product | None) -> HttpResponse:
    initial = ProductForm.initial_for(product) if product else {"active": True}
    form = ProductForm(request.POST or None, actor=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        require_catalogue_editor(request.user)
        if form.is_valid():
            try:
                if product is None:
                    product = services.product_create(actor=request.user, data=form.product_input())
                else:
                    services.product_update(
                        actor=request.user, product=product, data=form.product_input()
                    )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Product {product.sku} saved.")
                return redirect("catalog-backoffice:product-edit", product_id=product.public_id)
        status = 400
    context: dict[str, Any] = {"form": form, "product": product}
    if product is not None:
        context["images"] = selectors.product_images(product)
        context["image_form"] = ImageForm()
        context["stock_form"] = StockForm(rows=selectors.product_stock(product))
    return _page(request, "product_form.html", context, status)


@require_http_methods(["GET", "POST"])
@staff_required
def product_create(request: HttpRequest) -> HttpResponse:
    return _product_form_page(request, None)


@require_http_methods(["GET", "POST"])
@staff_required
def product_edit(request: HttpRequest, product_id: str) -> HttpResponse:
    return _product_form_page(request, access_product_by_id(request.user, product_id))


@require_POST
@editor_required
def product_image_upload(request: HttpRequest, product_id: str) -> HttpResponse:
    product = access_product_by_id(request.user, product_id)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_image_add(
                actor=request.user,
                product=product,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except CatalogError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "Picture added.")
            return redirect("catalog-backoffice:product-edit", product_id=product.public_id)
    return _page(
        request,
        "product_form.html",
        {
            "form": ProductForm(initial=ProductForm.initial_for(product), actor=request.user),
            "product": product,
            "images": selectors.product_images(product),
            "image_form": form,
            "stock_form": StockForm(rows=selectors.product_stock(product)),
        },
        400,
    )


@require_POST
@editor_required
def product_image_remove(request: HttpRequest, image_id: str) -> HttpResponse:
    image = access_product_image_by_id(request.user, image_id)
    services.product_image_delete(actor=request.user, image=image)
    messages.success(request, "Picture deleted.")
    return redirect("catalog-backoffice:product-edit", product_id=image.product.public_id)


@require_POST
@editor_required
def product_image_move(request: HttpRequest, image_id: str) -> HttpResponse:
    image = access_product_image_by_id(request.user, image_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.product_image_move(actor=request.user, image=image, offset=offset)
    return redirect("catalog-backoffice:product-edit", product_id=image.product.public_id)


@require_POST
@editor_required
def product_stock(request: HttpRequest, product_id: str) -> HttpResponse:
    product = access_product_by_id(request.user, product_id)
    form = StockForm(request.POST, rows=selectors.product_stock(product))
    if form.is_valid():
        quantities = form.quantities()
        if form.is_valid():
            try:
                changed = services.stock_set(
                    actor=request.user, product=product, quantities=quantities
                )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Stock saved ({changed} warehouse(s) changed).")
                return redirect("catalog-backoffice:product-edit", product_id=product.public_id)
    return _page(
        request,
        "product_form.html",
        {
            "form": ProductForm(initial=ProductForm.initial_for(product), actor=request.user),
            "product": product,
            "images": selectors.product_images(product),
            "image_form": ImageForm(),
            "stock_form": form,
        },
        400,
    )


# --- warehouses --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def warehouses(request: HttpRequest) -> HttpResponse:
    form = WarehouseForm(request.POST or None)
    form.fields.pop("active")
    status = 200
    if request.method == "POST":
        require_catalogue_editor(request.user)
        if form.is_valid():
            try:
                warehouse = services.warehouse_create(
                    actor=request.user,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"Warehouse {warehouse.code} added.")
                return redirect("catalog-backoffice:warehouses")
        status = 400
    return _page(
        request,
        "warehouses.html",
        {"form": form, "warehouses": selectors.warehouses_with_totals()},
        status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def warehouse_edit(request: HttpRequest, warehouse_id: str) -> HttpResponse:
    warehouse = access_warehouse_by_id(request.user, warehouse_id)
    form = WarehouseForm(request.POST or None, initial=WarehouseForm.initial_for(warehouse))
    status = 200
    if request.method == "POST":
        require_catalogue_editor(request.user)
        if form.is_valid():
            try:
                services.warehouse_update(
                    actor=request.user, warehouse=warehouse, **form.cleaned_data
                )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "Warehouse saved.")
                return redirect("catalog-backoffice:warehouses")
        status = 400
    return _page(request, "warehouse_edit.html", {"form": form, "warehouse": warehouse}, status)


# --- imports and exports -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        require_catalogue_editor(request.user)
        if form.is_valid():
            try:
                job = imports.import_upload(
                    actor=request.user,
                    kind=form.cleaned_data["kind"],
                    upload=form.cleaned_data["file"],
                )
            except CatalogError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("catalog-backoffice:import-detail", job_id=job.public_id)
        status = 400
    return _page(
        request,
        "imports.html",
        {"form": form, "jobs": selectors.recent_import_jobs(), "columns": COLUMNS},
        status,
    )


@require_GET
@staff_required
def import_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_import_job_by_id(request.user, job_id)
    return _page(
        request,
        "import_detail.html",
        {
            "job": job,
            "progress": imports.import_progress(job),
            "errors": list(imports.iter_errors(job)),
            "running": job.status
            in {ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.APPLYING},
        },
    )


@require_GET
@staff_required
def import_progress(request: HttpRequest, job_id: str) -> HttpResponse:
    """htmx: the progress bar; once the job stops running, tells htmx to reload the page."""
    job = access_import_job_by_id(request.user, job_id)
    running = job.status in {ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.APPLYING}
    response = _page(
        request,
        "_import_progress.html",
        {"job": job, "progress": imports.import_progress(job), "running": running},
    )
    if not running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@editor_required
def import_confirm(request: HttpRequest, job_id: str) -> HttpResponse:
    job = access_import_job_by_id(request.user, job_id)
    try:
        job = imports.import_confirm(actor=request.user, job=job)
    except CatalogError as exc:
        messages.error(request, exc.message)
    else:
        if job.status == ImportStatus.DONE:
            messages.success(request, "Import applied.")
    return redirect("catalog-backoffice:import-detail", job_id=job.public_id)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_response(name: str, header: list[str], rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    # the supplier's time, as every date in the back office (not UTC's: a file exported at
    # 00:30 on 1 January in Amsterdam is dated 1 January)
    stamp = timezone.now().astimezone(portal_zone()).strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


def _product_rows(labels: dict[int, str]) -> Iterator[list[Any]]:
    for p in selectors.export_products():
        yield [
            p.sku,
            p.name,
            p.description,
            labels.get(p.category_id or 0, ""),
            p.unit,
            p.pack_size,
            p.pallet_quantity or "",
            p.min_order_qty,
            p.order_multiple,
            p.lead_time_days,
            format_price(p.list_price),
            format_attributes(p.attributes),
            format_flag(p.active),
            p.external_ref,
        ]


@require_GET  # staff_required is typed for HttpResponse; a streaming one works the same
@staff_required  # type: ignore[arg-type]
def export(request: HttpRequest, kind: str) -> StreamingHttpResponse:
    """CSV with exactly the header the import accepts (an export imports back unchanged)."""
    rows: Iterable[list[Any]]
    if kind == ImportKind.PRODUCTS:
        rows = _product_rows(selectors.category_labels())
    elif kind == ImportKind.STOCK:
        rows = (
            [r["product__sku"], r["warehouse__code"], r["on_hand"]]
            for r in selectors.export_stock()
        )
    else:
        rows = (
            [
                r["price_list__external_ref"] or r["price_list__name"],
                r["product__sku"],
                r["min_quantity"],
                format_price(r["unit_price"]),
            ]
            for r in selectors.export_price_list_items()
        )
    return _csv_response(kind.replace("_", "-"), COLUMNS[kind], rows)
