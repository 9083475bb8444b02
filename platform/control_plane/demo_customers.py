"""The demo suppliers' buyer companies: details, terms, price lists, addresses, cost centres,
teams with known logins, and contract prices.

Written through the customers and pricing services, as the supplier's administrator would:
the company admin is invited by the supplier and then invites their own team (invitation →
acceptance with the demo password). Call inside the tenant's schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

D4 = Decimal("0.0001")
DEMO_PASSWORD = "Demo-portal-2026"  # noqa: S105  (printed by `make run`; demo only)


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    mailbox: str  # the part before @; the domain is the company's
    approval_limit: str | None = None
    accepted: bool = True


@dataclass(frozen=True)
class DemoCompany:
    name: str
    domain: str  # e-mail domain of its people: <mailbox>@<domain>
    vat_id: str
    address: tuple[str, str, str, str]  # street, postcode, city, country
    terms: str  # "prepayment" | "card" | "net"
    net_days: int | None
    credit_limit: str
    lists: tuple[str, ...]
    deliveries: tuple[tuple[str, str, str, str, str], ...]  # label, street, postcode, city, ctry
    cost_centres: tuple[tuple[str, str], ...]
    team: tuple[Person, ...]
    contracts: int = 0  # contract prices on products of the first catalogue page
    on_hold: str = ""
    restricted_to: str = ""  # top-level category its assortment is limited to
    approval_threshold: str | None = None  # orders above it go to the company's approvers
    po_required: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def email(self, person: Person) -> str:
        return f"{person.mailbox}@{self.domain}"


def full_team(
    admin: str, buyer: str, buyer2: str, approver: str, viewer: str
) -> tuple[Person, ...]:
    return (
        Person(admin, "company_admin", "admin"),
        Person(buyer, "buyer", "buyer"),
        Person(buyer2, "buyer", buyer2.split()[0].lower()),
        Person(approver, "approver", "approver", approval_limit="5000"),
        Person(viewer, "viewer", "viewer"),
    )


def small_team(admin: str, buyer: str, approver: str | None = None) -> tuple[Person, ...]:
    people = [Person(admin, "company_admin", "admin"), Person(buyer, "buyer", "buyer")]
    if approver:
        people.append(Person(approver, "approver", "approver", approval_limit="2500"))
    return tuple(people)


def invited_only(name: str) -> tuple[Person, ...]:
    """A company onboarded this week: its admin has an invitation and has not joined yet."""
    return (Person(name, "company_admin", "admin", accepted=False),)


@dataclass
class CustomersSummary:
    companies: int = 0
    members: int = 0
    pending_invitations: int = 0
    contracts: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # company, email, role


def _company(actor: Any, spec: DemoCompany, lists: dict[str, Any]) -> Any:
    from commerce.catalog.models import Category, Product
    from commerce.customers.services import CompanyInput, company_create

    street, postcode, city, country = spec.address
    skus: list[str] = []
    if spec.restricted_to:
        top = Category.objects.get(parent=None, name=spec.restricted_to)
        skus = list(
            Product.objects.filter(category__path__startswith=top.path, active=True)
            .order_by("sku")
            .values_list("sku", flat=True)
        )
    return company_create(
        actor=actor,
        data=CompanyInput(
            name=spec.name,
            vat_id=spec.vat_id,
            billing_line1=street,
            billing_postcode=postcode,
            billing_city=city,
            billing_country=country,
            payment_terms=spec.terms,
            net_days=spec.net_days,
            credit_limit=spec.credit_limit,
            status="on_hold" if spec.on_hold else "active",
            hold_reason=spec.on_hold,
            account_manager=actor,
            price_lists=[lists[name] for name in spec.lists],
            assortment_restricted=bool(skus),
            assortment_skus=skus,
            external_ref=f"CUST-{spec.domain.split('.')[0].upper()}",
            approval_threshold=spec.approval_threshold,
            po_required=spec.po_required,
        ),
    )


def _places(actor: Any, company: Any, spec: DemoCompany) -> None:
    from commerce.customers.services import address_create, cost_centre_create

    for index, (label, street, postcode, city, country) in enumerate(spec.deliveries):
        address_create(
            actor=actor,
            company=company,
            label=label,
            line1=street,
            postcode=postcode,
            city=city,
            country=country,
            is_default=index == 0,
        )
    for code, name in spec.cost_centres:
        cost_centre_create(actor=actor, company=company, code=code, name=name)


def _team(actor: Any, company: Any, spec: DemoCompany, portal_url: str) -> tuple[int, int]:
    """The supplier invites the company admin; the admin (once joined) invites the rest."""
    from commerce.customers.services import invitation_accept, invitation_create

    joined = pending = 0
    inviter = actor
    for person in spec.team:
        _, token = invitation_create(
            actor=inviter,
            company=company,
            email=spec.email(person),
            role=person.role,
            portal_url=portal_url,
            full_name=person.name,
            approval_limit=person.approval_limit,
        )
        if not person.accepted:
            pending += 1
            continue
        membership = invitation_accept(token=token, full_name=person.name, password=DEMO_PASSWORD)
        joined += 1
        if person.role == "company_admin":
            inviter = membership.user
    return joined, pending


def end_of_next_quarter(today: date) -> date:
    month = 3 * ((today.month - 1) // 3 + 2)  # last month of next quarter, may pass 12
    year, month = today.year + (month - 1) // 12, (month - 1) % 12 + 1
    first_after = date(year + month // 12, month % 12 + 1, 1)
    return first_after - timedelta(days=1)


def _contracts(actor: Any, company: Any, spec: DemoCompany, today: date) -> int:
    """Contract prices on products of the company's first catalogue page (so the tour shows
    "Contract price until …" at once): one ending in ten days, the others at the end of next
    quarter, and one open-ended."""
    from commerce.catalog.selectors.portal import CatalogueFilters, catalogue_products
    from commerce.pricing.services import contract_price_create

    if not spec.contracts:
        return 0
    first_page = list(catalogue_products(company=company, filters=CatalogueFilters())[:24])
    chosen = [p for p in first_page if p.list_price][1::3][: spec.contracts]
    ends = [today + timedelta(days=10), end_of_next_quarter(today), None]
    for index, product in enumerate(chosen):
        contract_price_create(
            actor=actor,
            company=company,
            product=product,
            unit_price=(Decimal(product.list_price or 0) * Decimal("0.78")).quantize(D4),
            valid_from=today - timedelta(days=45),
            valid_to=ends[index % len(ends)],
        )
    return len(chosen)


def seed_customers(
    *, actor: Any, companies: tuple[DemoCompany, ...], lists: dict[str, Any], portal_url: str
) -> CustomersSummary:
    """Every demo company of one supplier (call once, inside its schema)."""
    from commerce.selectors import portal_today

    summary = CustomersSummary()
    today = portal_today()
    for spec in companies:
        company = _company(actor, spec, lists)
        _places(actor, company, spec)
        joined, pending = _team(actor, company, spec, portal_url)
        summary.companies += 1
        summary.members += joined
        summary.pending_invitations += pending
        summary.contracts += _contracts(actor, company, spec, today)
        summary.logins += [(spec.name, spec.email(p), p.role) for p in spec.team if p.accepted]
    return summary
