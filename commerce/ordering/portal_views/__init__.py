"""Buyer portal pages of ordering: cart, quick order, lists, checkout, orders, approvals,
notifications. Views are thin: parse, call a service or selector, render; every page is scoped
to the buyer's company (``common.buyer_page``)."""

from commerce.ordering.portal_views.cart import (
    cart,
    cart_add,
    cart_clear,
    cart_line,
    cart_line_remove,
    cart_save,
    quick_order,
)
from commerce.ordering.portal_views.checkout import checkout, checkout_review
from commerce.ordering.portal_views.lists import (
    list_add_item,
    list_delete,
    list_detail,
    list_item,
    list_item_remove,
    list_rename,
    list_to_cart,
    lists,
)
from commerce.ordering.portal_views.notifications import (
    notification_read,
    notifications,
    notifications_read_all,
)
from commerce.ordering.portal_views.orders import (
    approvals,
    order_approve,
    order_cancel,
    order_detail,
    order_reject,
    order_reorder,
    orders,
    orders_export,
)

__all__ = [
    "approvals",
    "cart",
    "cart_add",
    "cart_clear",
    "cart_line",
    "cart_line_remove",
    "cart_save",
    "checkout",
    "checkout_review",
    "list_add_item",
    "list_delete",
    "list_detail",
    "list_item",
    "list_item_remove",
    "list_rename",
    "list_to_cart",
    "lists",
    "notification_read",
    "notifications",
    "notifications_read_all",
    "order_approve",
    "order_cancel",
    "order_detail",
    "order_reject",
    "order_reorder",
    "orders",
    "orders_export",
    "quick_order",
]
