"""Factories for commerce rows (test set-up only; the product writes through services).

They write in the schema in force: wrap calls in ``schema_context(tenant.schema)``.
Helpers that need more add factories in their own test modules, not here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from commerce.catalog.models import Category, Product, StockLevel, Warehouse
from commerce.customers.choices import MemberRole
from commerce.customers.models import Company, CostCentre, DeliveryAddress, Membership
from commerce.ordering.models import Carrier
from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from sso.choices import UserKind
from sso.models import User

PASSWORD = "Correct-Horse-Battery-42"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Buyer Company {n}")
    vat_id = factory.Sequence(lambda n: f"DE{100000000 + n}")
    billing_line1 = "Hauptstraße 1"
    billing_postcode = "10115"
    billing_city = "Berlin"
    billing_country = "DE"
    credit_limit = Decimal("10000.00")


class DeliveryAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliveryAddress

    company = factory.SubFactory(CompanyFactory)
    label = factory.Sequence(lambda n: f"Site {n}")
    line1 = "Industriestraße 5"
    postcode = "20095"
    city = "Hamburg"
    country = "DE"


class CostCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCentre

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"CC{n:03d}")
    name = factory.Sequence(lambda n: f"Cost centre {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@buyer.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    kind = UserKind.BUYER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = MemberRole.BUYER


class CategoryFactory(factory.django.DjangoModelFactory):
    """Keeps ``path`` and ``depth`` as ``category_create`` does (``/parent ids/own id/``)."""

    class Meta:
        model = Category
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")

    @factory.post_generation
    def _path(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            parent_path = obj.parent.path if obj.parent_id else "/"
            obj.path = f"{parent_path}{obj.pk}/"
            obj.depth = obj.parent.depth + 1 if obj.parent_id else 0
            obj.save(update_fields=["path", "depth"])


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    description = "A sturdy product."
    list_price = Decimal("10.0000")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")


class StockLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLevel

    product = factory.SubFactory(ProductFactory)
    warehouse = factory.SubFactory(WarehouseFactory)
    on_hand = 100


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    name = factory.Sequence(lambda n: f"Price list {n}")
    currency = "EUR"
    priority = 100


class PriceListItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceListItem

    price_list = factory.SubFactory(PriceListFactory)
    product = factory.SubFactory(ProductFactory)
    min_quantity = 1
    unit_price = Decimal("9.0000")


class ContractPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractPrice

    company = factory.SubFactory(CompanyFactory)
    product = factory.SubFactory(ProductFactory)
    unit_price = Decimal("7.5000")
    valid_from = date(2026, 1, 1)


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carrier

    name = factory.Sequence(lambda n: f"Carrier {n}")
    tracking_url_template = "https://track.example.com/parcel/{tracking}"
