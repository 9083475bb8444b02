"""Price lists, breaks and contract prices in the back office: services and pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.pricing import services
from commerce.pricing.errors import PricingError
from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from conftest import TEST_PASSWORD
from sso.services import user_create
from tests.factories import CompanyFactory, MembershipFactory, PriceListFactory, ProductFactory


def login(client, email):
    assert client.post("/login/", {"email": email, "password": TEST_PASSWORD}).status_code == 302
    return client


@pytest.fixture
def admin_client(alpha):
    return login(alpha.client(), "admin@alpha.test")


@pytest.fixture
def validator(alpha):
    with schema_context(alpha.schema):
        return user_create(
            actor=alpha.admin,
            email="val@alpha.test",
            full_name="Val",
            password=TEST_PASSWORD,
            kind="staff",
            staff_role="validator",
        )


def test_admin_creates_a_list_and_sets_breaks(admin_client, alpha):
    with schema_context(alpha.schema):
        ProductFactory(sku="M8-40", unit="pcs")
    created = admin_client.post(
        "/backoffice/pricing/", {"name": "Gold", "priority": 10, "active": "on"}
    )
    assert created.status_code == 302
    with schema_context(alpha.schema):
        gold = PriceList.objects.get(name="Gold")
        assert (gold.currency, gold.priority, gold.is_default) == ("EUR", 10, False)
    url = f"/backoffice/pricing/lists/{gold.public_id}/"
    for qty, price in ((1, "0,12"), (100, "0.10")):
        assert (
            admin_client.post(
                url, {"form": "item", "sku": "M8-40", "min_quantity": qty, "unit_price": price}
            ).status_code
            == 302
        )
    page = admin_client.get(url).content.decode()
    assert "0.1200" in page and "0.1000" in page
    with schema_context(alpha.schema):
        rows = list(
            PriceListItem.objects.filter(price_list=gold).values_list("min_quantity", "unit_price")
        )
        assert rows == [(1, Decimal("0.1200")), (100, Decimal("0.1000"))]
        assert AuditEntry.objects.filter(action="price_list.item_set").count() == 2


@pytest.mark.parametrize(
    ("sku", "price", "field", "message"),
    [
        ("M8-40", "abc", "unit_price", "“abc” is not an amount; write it like 12.50"),
        ("M8-40", "-1", "unit_price", "A price cannot be negative (got -1)."),
        ("M8-40", "0.12345", "unit_price", "Prices carry at most 4 decimals; 0.12345 has more."),
        ("NOPE", "1", "sku", "No product has the SKU “NOPE”."),
    ],
)
def test_bad_prices_are_refused_with_a_specific_message(
    admin_client, alpha, sku, price, field, message
):
    with schema_context(alpha.schema):
        ProductFactory(sku="M8-40")
        gold = PriceListFactory(name="Gold")
    response = admin_client.post(
        f"/backoffice/pricing/lists/{gold.public_id}/",
        {"form": "item", "sku": sku, "min_quantity": 1, "unit_price": price},
    )
    assert response.status_code == 400
    assert response.context["item_form"].errors[field] == [message]
    with schema_context(alpha.schema):
        assert not PriceListItem.objects.exists()


def test_only_one_default_list(alpha):
    with schema_context(alpha.schema):
        first = services.price_list_create(actor=alpha.admin, name="Standard", is_default=True)
        second = services.price_list_create(actor=alpha.admin, name="New standard", is_default=True)
        first.refresh_from_db()
        assert (first.is_default, second.is_default) == (False, True)


def test_a_list_in_another_currency_is_refused(alpha):
    with schema_context(alpha.schema), pytest.raises(PricingError) as excinfo:
        services.price_list_create(actor=alpha.admin, name="Dollar", currency="USD")
    assert excinfo.value.message == "This portal sells in EUR; price lists must be in EUR."
    with schema_context(alpha.schema):
        assert not PriceList.objects.exists()


def test_contract_periods_never_overlap(alpha):
    with schema_context(alpha.schema):
        acme, bolt = CompanyFactory(name="ACME"), ProductFactory(sku="BOLT")
        services.contract_price_create(
            actor=alpha.admin,
            company=acme,
            product=bolt,
            unit_price="0.10",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
        with pytest.raises(PricingError) as excinfo:
            services.contract_price_create(
                actor=alpha.admin,
                company=acme,
                product=bolt,
                unit_price="0.09",
                valid_from=date(2026, 12, 31),
            )
        assert excinfo.value.message == (
            "ACME already has a contract price for BOLT from 01 Jan 2026 (31 Dec 2026). End that "
            "one first, or choose dates that do not overlap."
        )
        with pytest.raises(PricingError) as reversed_dates:
            services.contract_price_create(
                actor=alpha.admin,
                company=acme,
                product=bolt,
                unit_price="0.09",
                valid_from=date(2027, 2, 1),
                valid_to=date(2027, 1, 1),
            )
        assert reversed_dates.value.message == (
            "The contract ends (01 Jan 2027) before it starts (01 Feb 2027)."
        )
        nxt = services.contract_price_create(
            actor=alpha.admin,
            company=acme,
            product=bolt,
            unit_price="0.09",
            valid_from=date(2027, 1, 1),
        )
        assert ContractPrice.objects.filter(company=acme).count() == 2
        entry = AuditEntry.objects.filter(action="contract_price.created").latest("id")
        assert entry.details == {"company": str(acme.public_id), "sku": "BOLT"}
        assert entry.object_id == str(nxt.public_id)


def test_contract_page_creates_and_removes(admin_client, alpha):
    with schema_context(alpha.schema):
        acme, _ = CompanyFactory(name="ACME"), ProductFactory(sku="BOLT")
    created = admin_client.post(
        "/backoffice/pricing/contracts/",
        {
            "company": str(acme.public_id),
            "sku": "BOLT",
            "unit_price": "0.11",
            "valid_from": "2026-01-01",
            "valid_to": "2027-03-31",
        },
    )
    assert created.status_code == 302, created.context["form"].errors
    with schema_context(alpha.schema):
        contract = ContractPrice.objects.get()
        assert (contract.unit_price, contract.valid_to) == (Decimal("0.1100"), date(2027, 3, 31))
    removed = admin_client.post(f"/backoffice/pricing/contracts/{contract.public_id}/delete")
    assert removed.status_code == 302
    with schema_context(alpha.schema):
        assert not ContractPrice.objects.exists()


def test_price_check_shows_the_why(admin_client, alpha):
    with schema_context(alpha.schema):
        acme, product = CompanyFactory(name="ACME"), ProductFactory(sku="BOLT")
        services.contract_price_create(
            actor=alpha.admin,
            company=acme,
            product=product,
            unit_price="0.10",
            valid_from=date(2026, 1, 1),
            valid_to=date(2099, 3, 31),
        )
    page = admin_client.get(
        "/backoffice/pricing/check/",
        {"company": str(acme.public_id), "sku": "BOLT", "quantity": 10, "on": "2026-06-01"},
    )
    assert page.status_code == 200
    assert page.context["quote"].reason == "Contract price until 31 Mar 2099"
    assert "EUR 1.00" in page.content.decode()


def test_a_validator_reads_but_cannot_change_prices(alpha, validator):
    client = login(alpha.client(), "val@alpha.test")
    with schema_context(alpha.schema):
        gold, _ = PriceListFactory(name="Gold"), ProductFactory(sku="BOLT")
    assert client.get("/backoffice/pricing/").status_code == 200
    refused = client.post(
        f"/backoffice/pricing/lists/{gold.public_id}/",
        {"form": "item", "sku": "BOLT", "min_quantity": 1, "unit_price": "1"},
    )
    assert refused.status_code == 403
    assert client.post("/backoffice/pricing/", {"name": "X", "priority": 1}).status_code == 403
    with schema_context(alpha.schema):
        assert not PriceListItem.objects.exists()
        assert PriceList.objects.count() == 1


def test_buyers_and_other_tenants_never_reach_pricing(alpha, beta):
    with schema_context(alpha.schema):
        MembershipFactory(user__email="buyer@acme.test")
        gold = PriceListFactory(name="Gold")
    buyer = login(alpha.client(), "buyer@acme.test")
    assert buyer.get("/backoffice/pricing/").status_code == 403
    other = login(beta.client(), "admin@beta.test")
    assert other.get(f"/backoffice/pricing/lists/{gold.public_id}/").status_code == 404
    assert other.get("/backoffice/pricing/lists/not-an-id/").status_code == 404
