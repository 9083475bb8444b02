"""Requisition lists: saved products and quantities, shared by everyone in a company. Members
who may order create and change them; everyone in the company sees them."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from audit.services import audit_record
from commerce.customers.models import Membership
from commerce.ordering.errors import OrderingError
from commerce.ordering.models import RequisitionList, RequisitionListLine
from commerce.ordering.policies import require_orderer
from commerce.ordering.services.cart import parse_quantity, visible_product
from core.errors import NotFound
from core.ids import parse_uuid

NAME_MAX = 120


def _clean_name(name: str) -> str:
    clean = " ".join(str(name).split())
    if not clean:
        raise OrderingError("name_required", "Give the list a name.", field="name")
    if len(clean) > NAME_MAX:
        raise OrderingError(
            "name_too_long",
            f"The name has {len(clean)} characters; at most {NAME_MAX} fit.",
            field="name",
        )
    return clean


def _mine(actor: Any, requisition_list: RequisitionList) -> Membership:
    """The actor's membership, when they may change this list of their company."""
    membership = require_orderer(actor)
    if requisition_list.company_id != membership.company_id:
        raise NotFound("There is no such list.")
    return membership


def _name_free(company_id: int, name: str, exclude: int | None = None) -> None:
    """List names are unique in a company, whatever their case."""
    taken = RequisitionList.objects.filter(company_id=company_id, name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise OrderingError(
            "name_taken", f"Your company already has a list called “{name}”.", field="name"
        )


def list_create(*, actor: Any, name: str) -> RequisitionList:
    membership = require_orderer(actor)
    clean = _clean_name(name)
    _name_free(membership.company_id, clean)
    try:
        with transaction.atomic():
            made = RequisitionList.objects.create(
                company_id=membership.company_id, name=clean, created_by=actor
            )
            audit_record(action="order_list.created", actor=actor, obj=made)
    except IntegrityError as exc:
        raise OrderingError(
            "name_taken", f"Your company already has a list called “{clean}”.", field="name"
        ) from exc
    return made


def list_rename(*, actor: Any, requisition_list: RequisitionList, name: str) -> RequisitionList:
    _mine(actor, requisition_list)
    clean = _clean_name(name)
    _name_free(requisition_list.company_id, clean, exclude=requisition_list.pk)
    before = requisition_list.name
    try:
        with transaction.atomic():
            requisition_list.name = clean
            requisition_list.save(update_fields=["name", "updated_at"])
            audit_record(
                action="order_list.renamed",
                actor=actor,
                obj=requisition_list,
                changes={"name": [before, clean]},
            )
    except IntegrityError as exc:
        requisition_list.name = before
        raise OrderingError(
            "name_taken", f"Your company already has a list called “{clean}”.", field="name"
        ) from exc
    return requisition_list


def list_delete(*, actor: Any, requisition_list: RequisitionList) -> None:
    _mine(actor, requisition_list)
    with transaction.atomic():
        audit_record(action="order_list.deleted", actor=actor, obj=requisition_list)
        requisition_list.delete()


def list_set_item(
    *, actor: Any, requisition_list: RequisitionList, product_id: Any, quantity: Any
) -> RequisitionListLine | None:
    """Put a product on the list with this quantity (replacing the old one); 0 removes it."""
    membership = _mine(actor, requisition_list)
    with transaction.atomic():
        locked = RequisitionList.objects.select_for_update().get(pk=requisition_list.pk)
        if str(quantity).strip() == "0":
            if parse_uuid(product_id):
                RequisitionListLine.objects.filter(
                    requisition_list=locked, product__public_id=str(product_id)
                ).delete()
            locked.save(update_fields=["updated_at"])
            return None
        product = visible_product(membership, product_id)
        amount = parse_quantity(quantity)
        line, _ = RequisitionListLine.objects.update_or_create(
            requisition_list=locked, product=product, defaults={"quantity": amount}
        )
        locked.save(update_fields=["updated_at"])
    return line


def list_add_cart(*, actor: Any, requisition_list: RequisitionList) -> int:
    """Save the cart's lines on the list (quantities replace those already there)."""
    from commerce.ordering.models import Cart

    _mine(actor, requisition_list)
    with transaction.atomic():
        locked = RequisitionList.objects.select_for_update().get(pk=requisition_list.pk)
        cart = Cart.objects.filter(user=actor).first()
        lines = list(cart.lines.all()) if cart else []
        for line in lines:
            RequisitionListLine.objects.update_or_create(
                requisition_list=locked,
                product_id=line.product_id,
                defaults={"quantity": line.quantity},
            )
        locked.save(update_fields=["updated_at"])
    return len(lines)
