"""Object access by id for an actor: the same ``NotFound`` for missing and forbidden.

Supplier staff (any role) reach every company of the portal; a buyer reaches only rows of their
own company; anyone else reaches nothing. Pass ``company`` to also insist that a child row
belongs to the company named in the URL.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from commerce.customers.models import (
    Company,
    CostCentre,
    DeliveryAddress,
    Invitation,
    Membership,
)
from commerce.customers.policies import buyer_membership, is_staff
from core.errors import NotFound

M = TypeVar("M", bound=Model)


def _parse(public_id: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except ValueError as exc:
        raise NotFound() from exc


def _company_scope(actor: Any) -> int | None:
    """None for staff (all companies); the buyer's company id; NotFound for anyone else."""
    if is_staff(actor):
        return None
    membership = buyer_membership(actor)
    if membership is None:
        raise NotFound()
    return membership.company_id


def _child(actor: Any, qs: QuerySet[M], public_id: Any, company: Company | None = None) -> M:
    parsed = _parse(public_id)
    scope = _company_scope(actor)
    qs = qs.filter(public_id=parsed)
    if scope is not None:
        qs = qs.filter(company_id=scope)
    if company is not None:
        qs = qs.filter(company_id=company.pk)
    obj = qs.first()
    if obj is None:
        raise NotFound()
    return obj


def access_company_by_id(actor: Any, public_id: Any) -> Company:
    parsed = _parse(public_id)
    scope = _company_scope(actor)
    qs = Company.objects.select_related("account_manager").filter(public_id=parsed)
    if scope is not None:
        qs = qs.filter(pk=scope)
    company = qs.first()
    if company is None:
        raise NotFound()
    return company


def access_address_by_id(
    actor: Any, public_id: Any, *, company: Company | None = None
) -> DeliveryAddress:
    return _child(actor, DeliveryAddress.objects.select_related("company"), public_id, company)


def access_cost_centre_by_id(
    actor: Any, public_id: Any, *, company: Company | None = None
) -> CostCentre:
    return _child(actor, CostCentre.objects.select_related("company"), public_id, company)


def access_member_by_id(
    actor: Any, public_id: Any, *, company: Company | None = None
) -> Membership:
    return _child(actor, Membership.objects.select_related("user", "company"), public_id, company)


def access_invitation_by_id(
    actor: Any, public_id: Any, *, company: Company | None = None
) -> Invitation:
    return _child(actor, Invitation.objects.select_related("company"), public_id, company)
