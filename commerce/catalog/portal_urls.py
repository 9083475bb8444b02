from django.urls import path

from commerce.catalog import portal_views

app_name = "catalog-portal"

urlpatterns = [
    path("", portal_views.catalogue, name="index"),
    path("<uuid:public_id>/", portal_views.product, name="product"),
]
