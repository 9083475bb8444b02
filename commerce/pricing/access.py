"""Pricing objects by public id, for staff. Missing and forbidden answer the same NotFound."""

from __future__ import annotations

import uuid
from typing import Any

from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from commerce.pricing.policies import require_pricing_reader
from core.errors import NotFound


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(raw))
    except ValueError as exc:
        raise NotFound() from exc


def access_price_list_by_id(actor: Any, public_id: str) -> PriceList:
    require_pricing_reader(actor)
    found = PriceList.objects.filter(public_id=_uuid(public_id)).first()
    if found is None:
        raise NotFound()
    return found


def access_price_list_item(actor: Any, price_list: PriceList, item_id: str) -> PriceListItem:
    require_pricing_reader(actor)
    try:
        pk = int(item_id)
    except ValueError as exc:
        raise NotFound() from exc
    found = (
        PriceListItem.objects.select_related("product").filter(price_list=price_list, pk=pk).first()
    )
    if found is None:
        raise NotFound()
    return found


def access_contract_price_by_id(actor: Any, public_id: str) -> ContractPrice:
    require_pricing_reader(actor)
    found = (
        ContractPrice.objects.select_related("company", "product")
        .filter(public_id=_uuid(public_id))
        .first()
    )
    if found is None:
        raise NotFound()
    return found
