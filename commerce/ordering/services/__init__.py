"""Writes of ordering. Every service checks permission, runs in a transaction, audits, and
schedules e-mails through the outbox (sent on commit)."""

from commerce.ordering.services.carriers import carrier_save
from commerce.ordering.services.cart import (
    QuickOrderResult,
    ReorderResult,
    cart_add,
    cart_clear,
    cart_remove,
    cart_set_quantity,
    list_to_cart,
    parse_quick_csv,
    parse_quick_text,
    quick_order_apply,
    reorder_to_cart,
)
from commerce.ordering.services.fulfilment import (
    order_confirm,
    order_deliver,
    order_reject,
    order_validate,
    payment_issue_proforma,
    payment_record,
    shipment_create,
)
from commerce.ordering.services.lists import (
    list_add_cart,
    list_create,
    list_delete,
    list_rename,
    list_set_item,
)
from commerce.ordering.services.orders import (
    CheckoutInput,
    checkout_view,
    order_approve,
    order_cancel,
    order_place,
    order_reject_approval,
)

__all__ = [
    "CheckoutInput",
    "QuickOrderResult",
    "ReorderResult",
    "carrier_save",
    "cart_add",
    "cart_clear",
    "cart_remove",
    "cart_set_quantity",
    "checkout_view",
    "list_add_cart",
    "list_create",
    "list_delete",
    "list_rename",
    "list_set_item",
    "list_to_cart",
    "order_approve",
    "order_cancel",
    "order_confirm",
    "order_deliver",
    "order_place",
    "order_reject",
    "order_reject_approval",
    "order_validate",
    "parse_quick_csv",
    "parse_quick_text",
    "payment_issue_proforma",
    "payment_record",
    "quick_order_apply",
    "reorder_to_cart",
    "shipment_create",
]
