"""Writes of the customers domain: companies, delivery addresses, cost centres, members and
invitations.

Every function here runs in one transaction, checks the actor's permission through
``policies``, validates with typed errors (``errors``), saves with ``update_fields`` where it
changes a row, writes an audit entry (with ``details["company"]`` = the company's public id)
and sends e-mails through the outbox.
"""

from commerce.customers.services.addresses import address_create, address_deactivate, address_update
from commerce.customers.services.common import CustomerAction, check_postcode, check_vat_id
from commerce.customers.services.companies import CompanyInput, company_create, company_update
from commerce.customers.services.cost_centres import (
    cost_centre_create,
    cost_centre_deactivate,
    cost_centre_update,
)
from commerce.customers.services.team import (
    invitation_accept,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_usable,
    member_change_role,
    member_deactivate,
    member_provision,
)

__all__ = [
    "CompanyInput",
    "CustomerAction",
    "address_create",
    "address_deactivate",
    "address_update",
    "check_postcode",
    "check_vat_id",
    "company_create",
    "company_update",
    "cost_centre_create",
    "cost_centre_deactivate",
    "cost_centre_update",
    "invitation_accept",
    "invitation_create",
    "invitation_resend",
    "invitation_revoke",
    "invitation_usable",
    "member_change_role",
    "member_deactivate",
    "member_provision",
]
