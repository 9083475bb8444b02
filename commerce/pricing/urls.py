from django.urls import path

from commerce.pricing import views

app_name = "pricing-backoffice"

urlpatterns = [
    path("", views.price_lists, name="lists"),
    path("lists/<str:public_id>/", views.price_list_detail, name="list"),
    path(
        "lists/<str:public_id>/items/<str:item_id>/delete",
        views.price_list_item_delete,
        name="item-delete",
    ),
    path("contracts/", views.contracts, name="contracts"),
    path("contracts/<str:public_id>/delete", views.contract_delete, name="contract-delete"),
    path("check/", views.price_check, name="check"),
]
