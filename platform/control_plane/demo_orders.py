"""The demo suppliers' ordering history: carriers, a shared requisition list and orders in every
stage (delivered with tracking, partly shipped, confirmed, waiting for approval, rejected by
the supplier), for the first demo company of a supplier.

Written through the ordering services, as the buyers, the approver and the supplier's
administrator would. Call inside the tenant's schema, after the customers are seeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

CARRIERS = (
    (
        "DHL Parcel",
        "https://www.dhl.de/en/privatkunden/dhl-sendungsverfolgung.html?piececode={tracking}",
    ),
    ("DPD", "https://tracking.dpd.de/status/en_US/parcel/{tracking}"),
    ("UPS", "https://www.ups.com/track?tracknum={tracking}"),
)


@dataclass
class OrdersSummary:
    carriers: int = 0
    lists: int = 0
    orders: list[str] = field(default_factory=list)


def _orderable(company: Any, count: int, *, skip: int = 0) -> list[tuple[Any, int]]:
    """``count`` products the company may order today, in stock, each with a valid quantity."""
    from commerce.catalog.selectors.portal import visible_products
    from commerce.ordering.selectors import free_stock
    from commerce.ordering.validation import valid_quantity

    products = list(
        visible_products(company).filter(list_price__isnull=False).order_by("sku")[:200]
    )
    stock = free_stock([p.pk for p in products])
    chosen = []
    for product in products:
        quantity = valid_quantity(product, 2 * product.order_multiple)
        if stock.get(product.pk, 0) >= quantity * 3:
            chosen.append((product, quantity))
        if len(chosen) == skip + count:
            break
    return chosen[skip:]


def _place(buyer: Any, company: Any, lines: list[tuple[Any, int]], po: str, note: str = "") -> Any:
    from commerce.customers.models import DeliveryAddress
    from commerce.ordering.services import CheckoutInput, cart_add, order_place

    for product, quantity in lines:
        cart_add(actor=buyer, product_id=product.public_id, quantity=quantity)
    address = DeliveryAddress.objects.filter(company=company, is_default=True).first()
    return order_place(
        actor=buyer,
        data=CheckoutInput(
            delivery_address=str(address.public_id) if address else None,
            po_number=po,
            note=note,
        ),
    )


def seed_orders(*, admin: Any, company_name: str, buyer_email: str) -> OrdersSummary:
    """Carriers for the supplier and, for ``company_name``, a list and five orders."""
    from commerce.customers.models import Company
    from commerce.ordering import services
    from sso.models import User

    summary = OrdersSummary()
    carriers = [
        services.carrier_save(actor=admin, name=name, tracking_url_template=template)
        for name, template in CARRIERS
    ]
    summary.carriers = len(carriers)
    company = Company.objects.get(name=company_name)
    buyer = User.objects.get(email=buyer_email)
    staples = services.list_create(actor=buyer, name="Weekly restock")
    for product, quantity in _orderable(company, 6):
        services.list_set_item(
            actor=buyer, requisition_list=staples, product_id=product.public_id, quantity=quantity
        )
    summary.lists = 1

    delivered = _place(buyer, company, _orderable(company, 4), "PO-4711")
    services.order_validate(actor=admin, order=delivered)
    services.order_confirm(actor=admin, order=delivered)
    services.shipment_create(
        actor=admin,
        order=delivered,
        carrier_id=carriers[0].public_id,
        tracking_number="00340434161094015902",
    )
    services.order_deliver(actor=admin, order=delivered)

    partly = _place(buyer, company, _orderable(company, 3, skip=4), "PO-4712")
    services.order_validate(actor=admin, order=partly)
    services.order_confirm(actor=admin, order=partly)
    services.shipment_create(
        actor=admin,
        order=partly,
        carrier_id=carriers[1].public_id,
        tracking_number="01505012345678",
        quantities={1: partly.lines.get(position=1).quantity},
    )

    confirmed = _place(buyer, company, _orderable(company, 2, skip=7), "PO-4713")
    services.order_validate(actor=admin, order=confirmed)
    services.order_confirm(actor=admin, order=confirmed)

    rejected = _place(buyer, company, _orderable(company, 1, skip=9), "PO-4714")
    services.order_reject(
        actor=admin,
        order=rejected,
        reason="This article is being discontinued; please order its successor instead.",
    )

    big_lines = _orderable(company, 2, skip=10) or _orderable(company, 2)
    threshold = Decimal(company.approval_threshold or 0)
    base = sum((p.list_price or Decimal(1)) * q for p, q in big_lines) or Decimal(1)
    factor = max(1, int(threshold * Decimal("1.3") / base) + 1)
    big = [(product, quantity * factor) for product, quantity in big_lines]
    waiting = _place(buyer, company, big, "PO-4715", note="Stock-up for the spring projects.")
    summary.orders = [o.number for o in (delivered, partly, confirmed, rejected, waiting)]
    if waiting.total < Decimal(company.approval_threshold or 0):
        summary.orders.append("(the last order did not need approval)")
    return summary
