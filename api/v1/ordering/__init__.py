"""Ordering API: cart, quick order, lists, orders and their moves, shipments.

Thin views over ``commerce.ordering``'s services and selectors (see ``commerce/ordering``'s
README). Sessions and API keys alike; a key acts as the staff user who created it and needs the
``read`` scope for GET and ``write`` for changes. Ids are public ids; anything the caller may
not see is 404, a role that may not act is 403, a refused move is 422 with the service's code.
"""

from __future__ import annotations

from django.urls import path

from api.v1.ordering import actions, cart, lists, orders

ORDER = "orders/<uuid:public_id>"

urlpatterns = [
    path("cart", cart.CartView.as_view(), name="ordering-cart"),
    path("cart/lines", cart.CartLinesView.as_view(), name="ordering-cart-lines"),
    path("cart/lines/<uuid:product_id>", cart.CartLineView.as_view(), name="ordering-cart-line"),
    path("cart/quick-order", cart.QuickOrderView.as_view(), name="ordering-quick-order"),
    path("lists", lists.ListsView.as_view(), name="ordering-lists"),
    path("lists/<uuid:public_id>", lists.ListView.as_view(), name="ordering-list"),
    path(
        "lists/<uuid:public_id>/items/<uuid:product_id>",
        lists.ListItemView.as_view(),
        name="ordering-list-item",
    ),
    path(
        "lists/<uuid:public_id>/add-to-cart",
        lists.ListToCartView.as_view(),
        name="ordering-list-to-cart",
    ),
    path("orders", orders.OrdersView.as_view(), name="ordering-orders"),
    path(ORDER, orders.OrderView.as_view(), name="ordering-order"),
    path(f"{ORDER}/reorder", orders.ReorderView.as_view(), name="ordering-order-reorder"),
    path(f"{ORDER}/shipments", orders.ShipmentsView.as_view(), name="ordering-order-shipments"),
    path(f"{ORDER}/approve", actions.OrderApproveView.as_view(), name="ordering-order-approve"),
    path(
        f"{ORDER}/reject-approval",
        actions.OrderRejectApprovalView.as_view(),
        name="ordering-order-reject-approval",
    ),
    path(f"{ORDER}/cancel", actions.OrderCancelView.as_view(), name="ordering-order-cancel"),
    path(f"{ORDER}/validate", actions.OrderValidateView.as_view(), name="ordering-order-validate"),
    path(f"{ORDER}/reject", actions.OrderRejectView.as_view(), name="ordering-order-reject"),
    path(f"{ORDER}/confirm", actions.OrderConfirmView.as_view(), name="ordering-order-confirm"),
    path(f"{ORDER}/ship", actions.OrderShipView.as_view(), name="ordering-order-ship"),
    path(f"{ORDER}/deliver", actions.OrderDeliverView.as_view(), name="ordering-order-deliver"),
    path(f"{ORDER}/payments", actions.PaymentRecordView.as_view(), name="ordering-order-payments"),
]
