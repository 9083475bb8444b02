"""Catalogue back office, mounted at /backoffice/catalogue/."""

from django.urls import path, re_path

from commerce.catalog import views

app_name = "catalog-backoffice"

urlpatterns = [
    path("", views.catalogue_home, name="home"),
    path("categories/", views.categories, name="categories"),
    path("categories/<uuid:category_id>/", views.category_edit, name="category-edit"),
    path("categories/<uuid:category_id>/delete", views.category_delete, name="category-delete"),
    path("products/", views.products, name="products"),
    path("products/new", views.product_create, name="product-create"),
    path("products/<uuid:product_id>/", views.product_edit, name="product-edit"),
    path(
        "products/<uuid:product_id>/images",
        views.product_image_upload,
        name="product-image-upload",
    ),
    path("products/<uuid:product_id>/stock", views.product_stock, name="product-stock"),
    path("images/<uuid:image_id>/delete", views.product_image_remove, name="image-delete"),
    path("images/<uuid:image_id>/move", views.product_image_move, name="image-move"),
    path("warehouses/", views.warehouses, name="warehouses"),
    path("warehouses/<uuid:warehouse_id>/", views.warehouse_edit, name="warehouse-edit"),
    path("imports/", views.import_start, name="imports"),
    path("imports/<uuid:job_id>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:job_id>/progress", views.import_progress, name="import-progress"),
    path("imports/<uuid:job_id>/confirm", views.import_confirm, name="import-confirm"),
    re_path(r"^export/(?P<kind>products|stock|price_lists)\.csv$", views.export, name="export"),
]
