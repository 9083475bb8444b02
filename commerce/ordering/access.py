"""Object access by id for an actor: the same ``NotFound`` for missing and forbidden.

Supplier staff reach every order of the portal; a buyer reaches the orders and lists of their
own company only; anyone else reaches nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from commerce.customers.policies import buyer_membership, is_staff
from commerce.ordering.models import Carrier, Order, RequisitionList, Shipment
from core.errors import NotFound
from core.ids import parse_uuid


def _uuid(public_id: Any) -> uuid.UUID:
    parsed = parse_uuid(public_id)
    if parsed is None:
        raise NotFound()
    return parsed


def orders_for(actor: Any) -> QuerySet[Order]:
    """Every order ``actor`` may see (none for anyone who is neither staff nor a buyer)."""
    if is_staff(actor):
        return Order.objects.all()
    membership = buyer_membership(actor)
    if membership is None:
        return Order.objects.none()
    return Order.objects.filter(company_id=membership.company_id)


def access_order_by_id(actor: Any, public_id: Any, *, for_update: bool = False) -> Order:
    orders = orders_for(actor).select_related("company", "placed_by")
    if for_update:
        orders = orders.select_for_update(of=("self",))
    order = orders.filter(public_id=_uuid(public_id)).first()
    if order is None:
        raise NotFound("There is no such order.")
    return order


def access_list_by_id(actor: Any, public_id: Any) -> RequisitionList:
    membership = buyer_membership(actor)
    if membership is None:
        raise NotFound("There is no such list.")
    found = RequisitionList.objects.filter(
        company_id=membership.company_id, public_id=_uuid(public_id)
    ).first()
    if found is None:
        raise NotFound("There is no such list.")
    return found


def access_shipment_by_id(actor: Any, public_id: Any) -> Shipment:
    shipment = (
        Shipment.objects.filter(order__in=orders_for(actor), public_id=_uuid(public_id))
        .select_related("order")
        .first()
    )
    if shipment is None:
        raise NotFound("There is no such shipment.")
    return shipment


def access_carrier_by_id(actor: Any, public_id: Any) -> Carrier:
    """A carrier, for supplier staff only (buyers see carriers only through their shipments)."""
    carrier = (
        Carrier.objects.filter(public_id=_uuid(public_id)).first() if is_staff(actor) else None
    )
    if carrier is None:
        raise NotFound("There is no such carrier.")
    return carrier
