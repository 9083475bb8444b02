"""Buyer portal pages of ordering (cart, quick order, lists, checkout, orders, notifications)."""

from django.urls import path

from commerce.ordering import portal_views as views

app_name = "ordering-portal"

urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart-add"),
    path("cart/lines/<uuid:product_id>/", views.cart_line, name="cart-line"),
    path("cart/lines/<uuid:product_id>/remove/", views.cart_line_remove, name="cart-line-remove"),
    path("cart/clear/", views.cart_clear, name="cart-clear"),
    path("cart/save/", views.cart_save, name="cart-save"),
    path("quick-order/", views.quick_order, name="quick-order"),
    path("lists/", views.lists, name="lists"),
    path("lists/<uuid:list_id>/", views.list_detail, name="list"),
    path("lists/<uuid:list_id>/rename/", views.list_rename, name="list-rename"),
    path("lists/<uuid:list_id>/delete/", views.list_delete, name="list-delete"),
    path("lists/<uuid:list_id>/items/", views.list_add_item, name="list-add-item"),
    path("lists/<uuid:list_id>/items/<uuid:product_id>/", views.list_item, name="list-item"),
    path(
        "lists/<uuid:list_id>/items/<uuid:product_id>/remove/",
        views.list_item_remove,
        name="list-item-remove",
    ),
    path("lists/<uuid:list_id>/cart/", views.list_to_cart, name="list-to-cart"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/review/", views.checkout_review, name="checkout-review"),
    path("orders/", views.orders, name="orders"),
    path("orders/export.csv", views.orders_export, name="orders-export"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order"),
    path("orders/<uuid:order_id>/approve/", views.order_approve, name="order-approve"),
    path("orders/<uuid:order_id>/reject/", views.order_reject, name="order-reject"),
    path("orders/<uuid:order_id>/cancel/", views.order_cancel, name="order-cancel"),
    path("orders/<uuid:order_id>/reorder/", views.order_reorder, name="order-reorder"),
    path("approvals/", views.approvals, name="approvals"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read_all, name="notifications-read-all"),
    path(
        "notifications/<uuid:notification_id>/read/",
        views.notification_read,
        name="notification-read",
    ),
]
