"""The pricing function, as a table: what a company pays, at a quantity, on a day — and why."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from commerce.pricing.selectors import PriceBreak, price_for, price_many
from commerce.selectors import portal_today
from tests.factories import (
    CompanyFactory,
    ContractPriceFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
)

D = Decimal


@pytest.fixture
def world(alpha):
    """Company ACME with lists Gold (priority 10) and Silver (priority 20) assigned, a default
    list, contracts, and products covering every branch of the precedence."""
    with schema_context(alpha.schema):
        acme = CompanyFactory(name="ACME")
        other = CompanyFactory(name="Other Co")
        gold = PriceListFactory(name="Gold", priority=10)
        silver = PriceListFactory(name="Silver", priority=20)
        default = PriceListFactory(name="Standard", priority=100, is_default=True)
        inactive = PriceListFactory(name="Retired", priority=1, active=False)
        acme.price_lists.set([gold, silver, inactive])
        p = {
            name: ProductFactory(sku=name.upper(), name=name, unit="pcs")
            for name in ("bolt", "nut", "washer", "screw", "rivet", "pin", "clip", "bare")
        }
        p["bare"].list_price = None
        p["bare"].save()
        # bolt: contract 31 Mar 2027 inclusive, plus Gold breaks (contract wins)
        ContractPriceFactory(
            company=acme,
            product=p["bolt"],
            unit_price=D("0.1200"),
            valid_from=date(2026, 1, 1),
            valid_to=date(2027, 3, 31),
        )
        PriceListItemFactory(price_list=gold, product=p["bolt"], unit_price=D("0.2000"))
        # nut: Gold breaks 1 / 100 / 1000
        for qty, price in ((1, "0.0500"), (100, "0.0450"), (1000, "0.0400")):
            PriceListItemFactory(
                price_list=gold, product=p["nut"], min_quantity=qty, unit_price=D(price)
            )
        # washer: only in Silver → second list by priority
        PriceListItemFactory(price_list=silver, product=p["washer"], unit_price=D("0.0300"))
        # screw: in Gold and Silver → Gold (lower number wins); and in the retired list
        PriceListItemFactory(price_list=gold, product=p["screw"], unit_price=D("0.0800"))
        PriceListItemFactory(price_list=silver, product=p["screw"], unit_price=D("0.0700"))
        PriceListItemFactory(price_list=inactive, product=p["screw"], unit_price=D("0.0100"))
        # rivet: only in the default list
        PriceListItemFactory(price_list=default, product=p["rivet"], unit_price=D("0.0900"))
        # pin: Gold has only a break from 50 → below 50 falls through to the list price
        PriceListItemFactory(
            price_list=gold, product=p["pin"], min_quantity=50, unit_price=D("0.0150")
        )
        # clip: an expired contract and a future one; list price in between
        ContractPriceFactory(
            company=acme,
            product=p["clip"],
            unit_price=D("0.5000"),
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 12, 31),
        )
        ContractPriceFactory(
            company=acme, product=p["clip"], unit_price=D("0.4000"), valid_from=date(2027, 1, 1)
        )
        # Other Co has a contract on nut; ACME must never get it
        ContractPriceFactory(company=other, product=p["nut"], unit_price=D("0.0010"))
        yield {"acme": acme, "other": other, "p": p}


TABLE = [
    # product, qty, day, unit price, source, reason
    ("bolt", 10, date(2026, 6, 1), "0.1200", "contract", "Contract price until 31 Mar 2027"),
    ("bolt", 10, date(2026, 1, 1), "0.1200", "contract", "Contract price until 31 Mar 2027"),
    ("bolt", 10, date(2027, 3, 31), "0.1200", "contract", "Contract price until 31 Mar 2027"),
    ("bolt", 10, date(2027, 4, 1), "0.2000", "price_list", "Your price list “Gold”"),
    ("bolt", 10, date(2025, 12, 31), "0.2000", "price_list", "Your price list “Gold”"),
    ("nut", 1, date(2026, 6, 1), "0.0500", "price_list", "Your price list “Gold”"),
    ("nut", 99, date(2026, 6, 1), "0.0500", "price_list", "Your price list “Gold”"),
    ("nut", 100, date(2026, 6, 1), "0.0450", "price_list", "Volume price from 100 pcs"),
    ("nut", 999, date(2026, 6, 1), "0.0450", "price_list", "Volume price from 100 pcs"),
    ("nut", 1000, date(2026, 6, 1), "0.0400", "price_list", "Volume price from 1000 pcs"),
    ("washer", 5, date(2026, 6, 1), "0.0300", "price_list", "Your price list “Silver”"),
    ("screw", 5, date(2026, 6, 1), "0.0800", "price_list", "Your price list “Gold”"),
    ("rivet", 5, date(2026, 6, 1), "0.0900", "price_list", "Your price list “Standard”"),
    ("pin", 49, date(2026, 6, 1), "10.0000", "list_price", "List price"),
    ("pin", 50, date(2026, 6, 1), "0.0150", "price_list", "Volume price from 50 pcs"),
    ("clip", 1, date(2026, 6, 1), "10.0000", "list_price", "List price"),
    ("clip", 1, date(2025, 12, 31), "0.5000", "contract", "Contract price until 31 Dec 2025"),
    ("clip", 1, date(2027, 1, 1), "0.4000", "contract", "Contract price"),
]


@pytest.mark.parametrize(("sku", "qty", "day", "price", "source", "reason"), TABLE)
def test_price_precedence(world, alpha, sku, qty, day, price, source, reason):
    with schema_context(alpha.schema):
        quote = price_for(
            company=world["acme"], product=world["p"][sku], quantity=qty, on=day, currency="EUR"
        )
    assert (quote.unit_price, quote.source, quote.reason) == (D(price), source, reason)
    assert quote.orderable


def test_breaks_are_listed_with_the_quote(world, alpha):
    with schema_context(alpha.schema):
        quote = price_for(
            company=world["acme"],
            product=world["p"]["nut"],
            quantity=250,
            on=date(2026, 6, 1),
            currency="EUR",
        )
    assert quote.breaks == (
        PriceBreak(1, D("0.0500")),
        PriceBreak(100, D("0.0450")),
        PriceBreak(1000, D("0.0400")),
    )
    assert quote.line_total == D("11.25")


def test_missing_price_is_not_orderable_and_says_why(world, alpha):
    with schema_context(alpha.schema):
        quote = price_for(
            company=world["acme"],
            product=world["p"]["bare"],
            quantity=1,
            on=date(2026, 6, 1),
            currency="EUR",
        )
    assert (quote.unit_price, quote.source, quote.orderable, quote.line_total) == (
        None,
        "none",
        False,
        None,
    )
    assert quote.reason == (
        "No price is set for this product yet, so it cannot be ordered. "
        "Ask your account manager for a quote."
    )


def test_another_companys_contract_never_applies(world, alpha):
    with schema_context(alpha.schema):
        mine = price_for(
            company=world["acme"],
            product=world["p"]["nut"],
            quantity=1,
            on=date(2026, 6, 1),
            currency="EUR",
        )
        theirs = price_for(
            company=world["other"],
            product=world["p"]["nut"],
            quantity=1,
            on=date(2026, 6, 1),
            currency="EUR",
        )
    assert mine.unit_price == D("0.0500")
    assert theirs.unit_price == D("0.0010") and theirs.source == "contract"


def test_a_company_without_lists_gets_the_default_then_the_list_price(world, alpha):
    with schema_context(alpha.schema):
        quotes = price_many(
            company=world["other"],
            products=[world["p"]["rivet"], world["p"]["bolt"]],
            on=date(2026, 6, 1),
            currency="EUR",
        )
    assert quotes[world["p"]["rivet"].pk].reason == "Your price list “Standard”"
    assert quotes[world["p"]["bolt"].pk].reason == "List price"


def test_price_many_runs_a_fixed_number_of_queries(world, alpha, django_assert_num_queries):
    with schema_context(alpha.schema):
        products = list(world["p"].values())
        with django_assert_num_queries(3):
            quotes = price_many(
                company=world["acme"], products=products, on=date(2026, 6, 1), currency="EUR"
            )
    assert len(quotes) == 8


@pytest.mark.parametrize(
    ("utc_now", "expected"),
    [
        (datetime(2027, 3, 31, 21, 59, tzinfo=UTC), date(2027, 3, 31)),  # 23:59 in Amsterdam (CEST)
        (datetime(2027, 3, 31, 22, 0, tzinfo=UTC), date(2027, 4, 1)),  # midnight in Amsterdam
    ],
)
def test_today_is_the_suppliers_date_not_utc(world, alpha, monkeypatch, utc_now, expected):
    """A contract valid until 31 Mar ends at midnight where the supplier is (Europe/Amsterdam),
    two hours before midnight UTC."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: utc_now)
    with schema_context(alpha.schema):
        today = portal_today()
        quote = price_for(
            company=world["acme"], product=world["p"]["bolt"], quantity=1, on=today, currency="EUR"
        )
    assert today == expected
    assert quote.source == ("contract" if expected == date(2027, 3, 31) else "price_list")
