"""One declarative suite: every endpoint of a portal, tried as anonymous, from another tenant,
from another company and with the wrong role. A refusal must change nothing (no audit entry,
which every write produces), and a new endpoint fails the completeness test until it is listed.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context
from PIL import Image

from api.services import api_key_create
from audit.models import AuditEntry
from commerce.catalog.imports import import_upload
from commerce.catalog.services import product_image_add
from commerce.customers.choices import MemberRole
from commerce.customers.services import invitation_create
from commerce.ordering.models import Notification
from commerce.ordering.services import (
    CheckoutInput,
    carrier_save,
    cart_add,
    list_create,
    order_place,
)
from commerce.pricing.services import contract_price_create, price_list_item_set
from conftest import TEST_PASSWORD
from sso.models import User, UserSession
from sso.saml.services import ConnectionInput, connection_create
from sso.saml.tests.idp import key_pair
from sso.services import user_create
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    CostCentreFactory,
    DeliveryAddressFactory,
    MembershipFactory,
    PriceListFactory,
    ProductFactory,
    UserFactory,
    WarehouseFactory,
)

PAGE, API = "page", "api"


@dataclass(frozen=True)
class Endpoint:
    """``audience``: who may use it — signed_in (anyone, for their own account), staff (any role), editor (administrator, account
    manager), admin (administrator), buyer (any member), company_admin, integration (API key).
    ``wrong`` is the actor that must be refused, with ``wrong_status``; ``company`` marks paths
    that carry company X's objects (another company gets 404)."""

    name: str
    method: str
    path: str
    audience: str
    kind: str = PAGE
    data: dict[str, Any] = field(default_factory=dict)
    wrong: str | None = None
    wrong_status: int = 403
    company: bool = False

    @property
    def has_ids(self) -> bool:
        return "{" in self.path


ADDRESS = {
    "label": "Dock 9",
    "line1": "Kai 1",
    "postcode": "20457",
    "city": "Hamburg",
    "country": "DE",
}
CENTRE = {"code": "CC900", "name": "Workshop"}
INVITE = {"email": "new.person@x.test", "full_name": "New Person", "role": "buyer"}
ROLE = {"role": "viewer"}
COMPANY = {
    "name": "Zeta AG",
    "vat_id": "DE999999999",
    "billing_line1": "Weg 1",
    "billing_postcode": "10115",
    "billing_city": "Berlin",
    "billing_country": "DE",
    "payment_terms": "prepayment",
    "credit_limit": "0",
    "status": "active",
}
PRODUCT = {
    "sku": "NEW-1",
    "name": "New thing",
    "unit": "pcs",
    "pack_size": "1",
    "min_order_qty": "1",
    "order_multiple": "1",
    "lead_time_days": "0",
    "active": "on",
}
SSO = {
    "name": "Matrix IdP",
    "audience": "staff",
    "idp_entity_id": "https://idp.matrix.test/saml",
    "idp_sso_url": "https://idp.matrix.test/sso",
    "email_domains": "matrix-new.test",
    "default_role": "validator",
    "certificates": "{cert}",
}
THEME = {
    "display_name": "Alpha",
    "primary_color": "#123456",
    "accent_color": "#0f5e59",
    "font": "system",
}

ENDPOINTS = [
    # back office, read (every staff role; buyers refused)
    Endpoint("commerce:backoffice", "GET", "/backoffice/", "staff", wrong="xb"),
    Endpoint("customers-backoffice:list", "GET", "/backoffice/companies/", "staff", wrong="xb"),
    Endpoint(
        "customers-backoffice:export",
        "GET",
        "/backoffice/companies/export.csv",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "customers-backoffice:detail", "GET", "/backoffice/companies/{x}/", "staff", wrong="xb"
    ),
    Endpoint("catalog-backoffice:home", "GET", "/backoffice/catalogue/", "staff", wrong="xb"),
    Endpoint(
        "catalog-backoffice:categories",
        "GET",
        "/backoffice/catalogue/categories/",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "catalog-backoffice:products", "GET", "/backoffice/catalogue/products/", "staff", wrong="xb"
    ),
    Endpoint(
        "catalog-backoffice:product-edit",
        "GET",
        "/backoffice/catalogue/products/{p}/",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "catalog-backoffice:warehouses",
        "GET",
        "/backoffice/catalogue/warehouses/",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "catalog-backoffice:warehouse-edit",
        "GET",
        "/backoffice/catalogue/warehouses/{w}/",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "catalog-backoffice:imports", "GET", "/backoffice/catalogue/imports/", "staff", wrong="xb"
    ),
    Endpoint(
        "catalog-backoffice:import-detail",
        "GET",
        "/backoffice/catalogue/imports/{job}/",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "catalog-backoffice:import-progress",
        "GET",
        "/backoffice/catalogue/imports/{job}/progress",
        "staff",
        wrong="xb",
    ),
    Endpoint(
        "catalog-backoffice:export",
        "GET",
        "/backoffice/catalogue/export/products.csv",
        "staff",
        wrong="xb",
    ),
    Endpoint("pricing-backoffice:lists", "GET", "/backoffice/pricing/", "staff", wrong="xb"),
    Endpoint(
        "pricing-backoffice:list", "GET", "/backoffice/pricing/lists/{pl}/", "staff", wrong="xb"
    ),
    Endpoint(
        "pricing-backoffice:contracts", "GET", "/backoffice/pricing/contracts/", "staff", wrong="xb"
    ),
    Endpoint("pricing-backoffice:check", "GET", "/backoffice/pricing/check/", "staff", wrong="xb"),
    # back office, writes (administrators and account managers; a validator is refused)
    Endpoint(
        "customers-backoffice:create",
        "POST",
        "/backoffice/companies/new/",
        "editor",
        data=COMPANY,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:edit",
        "POST",
        "/backoffice/companies/{x}/edit/",
        "editor",
        data=COMPANY,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:address-create",
        "POST",
        "/backoffice/companies/{x}/addresses/new/",
        "editor",
        data=ADDRESS,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:address-edit",
        "POST",
        "/backoffice/companies/{x}/addresses/{xaddr}/",
        "editor",
        data=ADDRESS,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:address-deactivate",
        "POST",
        "/backoffice/companies/{x}/addresses/{xaddr}/deactivate/",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:cost-centre-create",
        "POST",
        "/backoffice/companies/{x}/cost-centres/new/",
        "editor",
        data=CENTRE,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:cost-centre-edit",
        "POST",
        "/backoffice/companies/{x}/cost-centres/{xcc}/",
        "editor",
        data=CENTRE,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:cost-centre-deactivate",
        "POST",
        "/backoffice/companies/{x}/cost-centres/{xcc}/deactivate/",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:member-invite",
        "POST",
        "/backoffice/companies/{x}/members/invite/",
        "editor",
        data=INVITE,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:member-role",
        "POST",
        "/backoffice/companies/{x}/members/{xbm}/role/",
        "editor",
        data=ROLE,
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:member-deactivate",
        "POST",
        "/backoffice/companies/{x}/members/{xbm}/deactivate/",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:invitation-revoke",
        "POST",
        "/backoffice/companies/{x}/invitations/{xinv}/revoke/",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "customers-backoffice:invitation-resend",
        "POST",
        "/backoffice/companies/{x}/invitations/{xinv}/resend/",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:category-edit",
        "POST",
        "/backoffice/catalogue/categories/{c}/",
        "editor",
        data={"name": "Renamed"},
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:category-delete",
        "POST",
        "/backoffice/catalogue/categories/{c}/delete",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:product-create",
        "POST",
        "/backoffice/catalogue/products/new",
        "editor",
        data=PRODUCT,
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:product-image-upload",
        "POST",
        "/backoffice/catalogue/products/{p}/images",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:product-stock",
        "POST",
        "/backoffice/catalogue/products/{p}/stock",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:image-delete",
        "POST",
        "/backoffice/catalogue/images/{img}/delete",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:image-move",
        "POST",
        "/backoffice/catalogue/images/{img}/move",
        "editor",
        data={"offset": "1"},
        wrong="validator",
    ),
    Endpoint(
        "catalog-backoffice:import-confirm",
        "POST",
        "/backoffice/catalogue/imports/{job}/confirm",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "pricing-backoffice:item-delete",
        "POST",
        "/backoffice/pricing/lists/{pl}/items/{item}/delete",
        "editor",
        wrong="validator",
    ),
    Endpoint(
        "pricing-backoffice:contract-delete",
        "POST",
        "/backoffice/pricing/contracts/{contract}/delete",
        "editor",
        wrong="validator",
    ),
    # administrators only
    Endpoint(
        "branding:theme", "POST", "/backoffice/theme/", "admin", data=THEME, wrong="validator"
    ),
    Endpoint(
        "branding:theme-preview",
        "POST",
        "/backoffice/theme/preview",
        "admin",
        data=THEME,
        wrong="validator",
    ),
    Endpoint("api-pages:keys", "GET", "/backoffice/api-keys/", "admin", wrong="validator"),
    Endpoint("saml:list", "GET", "/backoffice/sso/", "admin", wrong="validator"),
    Endpoint("saml:create", "POST", "/backoffice/sso/new/", "admin", data=SSO, wrong="validator"),
    Endpoint("saml:detail", "GET", "/backoffice/sso/{sso}/", "admin", wrong="validator"),
    Endpoint(
        "saml:edit", "POST", "/backoffice/sso/{sso}/edit/", "admin", data=SSO, wrong="validator"
    ),
    Endpoint("saml:delete", "POST", "/backoffice/sso/{sso}/delete/", "admin", wrong="validator"),
    Endpoint("saml:test", "POST", "/backoffice/sso/{sso}/test/", "admin", wrong="validator"),
    Endpoint(
        "api-pages:revoke", "POST", "/backoffice/api-keys/{key}/revoke", "admin", wrong="validator"
    ),
    # buyer portal (members; supplier staff have no company: 404)
    Endpoint(
        "customers-portal:company", "GET", "/company/", "buyer", wrong="admin", wrong_status=404
    ),
    Endpoint(
        "customers-portal:team", "GET", "/company/team/", "buyer", wrong="admin", wrong_status=404
    ),
    Endpoint(
        "catalog-portal:index", "GET", "/catalogue/", "buyer", wrong="admin", wrong_status=404
    ),
    Endpoint(
        "catalog-portal:product", "GET", "/catalogue/{p}/", "buyer", wrong="admin", wrong_status=404
    ),
    # company administrators (a plain buyer is refused; another company gets 404)
    Endpoint(
        "customers-portal:address-create",
        "POST",
        "/company/addresses/new/",
        "company_admin",
        data=ADDRESS,
        wrong="xb",
    ),
    Endpoint(
        "customers-portal:address-edit",
        "POST",
        "/company/addresses/{xaddr}/",
        "company_admin",
        data=ADDRESS,
        wrong="xb",
        company=True,
    ),
    Endpoint(
        "customers-portal:address-deactivate",
        "POST",
        "/company/addresses/{xaddr}/deactivate/",
        "company_admin",
        wrong="xb",
        company=True,
    ),
    Endpoint(
        "customers-portal:cost-centre-create",
        "POST",
        "/company/cost-centres/new/",
        "company_admin",
        data=CENTRE,
        wrong="xb",
    ),
    Endpoint(
        "customers-portal:cost-centre-edit",
        "POST",
        "/company/cost-centres/{xcc}/",
        "company_admin",
        data=CENTRE,
        wrong="xb",
        company=True,
    ),
    Endpoint(
        "customers-portal:cost-centre-deactivate",
        "POST",
        "/company/cost-centres/{xcc}/deactivate/",
        "company_admin",
        wrong="xb",
        company=True,
    ),
    Endpoint(
        "customers-portal:member-role",
        "POST",
        "/company/team/{xbm}/role/",
        "company_admin",
        data=ROLE,
        wrong="xv",
        company=True,
    ),
    Endpoint(
        "customers-portal:member-deactivate",
        "POST",
        "/company/team/{xbm}/deactivate/",
        "company_admin",
        wrong="xv",
        company=True,
    ),
    Endpoint(
        "customers-portal:invitation-revoke",
        "POST",
        "/company/team/invitations/{xinv}/revoke/",
        "company_admin",
        wrong="xb",
        company=True,
    ),
    Endpoint(
        "customers-portal:invitation-resend",
        "POST",
        "/company/team/invitations/{xinv}/resend/",
        "company_admin",
        wrong="xb",
        company=True,
    ),
    # API
    Endpoint("api:me", "GET", "/api/v1/me", "staff", kind=API),
    Endpoint(
        "api:customers-company",
        "GET",
        "/api/v1/company",
        "buyer",
        kind=API,
        wrong="admin",
        wrong_status=404,
    ),
    Endpoint(
        "api:customers-company-members",
        "GET",
        "/api/v1/company/members",
        "buyer",
        kind=API,
        wrong="admin",
        wrong_status=404,
    ),
    Endpoint(
        "api:catalogue-product-list",
        "GET",
        "/api/v1/catalogue/products",
        "buyer",
        kind=API,
        wrong="admin",
        wrong_status=404,
    ),
    Endpoint(
        "api:catalogue-product-detail",
        "GET",
        "/api/v1/catalogue/products/{p}",
        "buyer",
        kind=API,
        wrong="admin",
        wrong_status=404,
    ),
    Endpoint(
        "api:catalogue-category-tree",
        "GET",
        "/api/v1/catalogue/categories",
        "buyer",
        kind=API,
        wrong="admin",
        wrong_status=404,
    ),
    *[
        Endpoint(
            f"api:integration-{n}",
            "POST",
            f"/api/v1/integration/{n}",
            "integration",
            kind=API,
            data={"items": []},
            wrong="key_read",
        )
        for n in ("products", "stock", "price-lists", "companies", "contract-prices")
    ],
    # ordering API (buyer side: staff have no cart or lists; company X's objects 404 elsewhere)
    *[
        Endpoint(
            f"api:ordering-{n}", m, path, "buyer", kind=API, data=d, wrong="admin", wrong_status=404
        )
        for n, m, path, d in (
            ("cart", "GET", "/api/v1/cart", {}),
            ("cart", "DELETE", "/api/v1/cart", {}),
            ("cart-lines", "POST", "/api/v1/cart/lines", {"product": "{p}", "quantity": 1}),
            ("cart-line", "PUT", "/api/v1/cart/lines/{p}", {"quantity": 2}),
            ("quick-order", "POST", "/api/v1/cart/quick-order", {"lines": "MAT-1 2"}),
            ("lists", "GET", "/api/v1/lists", {}),
            ("lists", "POST", "/api/v1/lists", {"name": "Matrix"}),
        )
    ],
    *[
        Endpoint(
            f"api:ordering-{n}",
            m,
            path,
            "buyer",
            kind=API,
            data=d,
            wrong=w,
            wrong_status=403 if w == "xv" else 404,
            company=True,
        )
        for n, m, path, d, w in (
            ("list", "GET", "/api/v1/lists/{xlist}", {}, "admin"),
            ("list", "PATCH", "/api/v1/lists/{xlist}", {"name": "Renamed"}, "xv"),
            ("list", "DELETE", "/api/v1/lists/{xlist}", {}, "xv"),
            ("list-item", "PUT", "/api/v1/lists/{xlist}/items/{p}", {"quantity": 3}, "xv"),
            ("list-to-cart", "POST", "/api/v1/lists/{xlist}/add-to-cart", {}, "xv"),
            ("order-reorder", "POST", "/api/v1/orders/{xorder}/reorder", {}, "xv"),
            ("order-cancel", "POST", "/api/v1/orders/{xorder}/cancel", {"reason": "x"}, "xv"),
        )
    ],
    Endpoint("api:ordering-orders", "GET", "/api/v1/orders", "buyer", kind=API),
    Endpoint(
        "api:ordering-orders",
        "POST",
        "/api/v1/orders",
        "buyer",
        kind=API,
        data={"delivery_address": "{xaddr}"},
        wrong="xv",
    ),
    Endpoint(
        "api:ordering-order", "GET", "/api/v1/orders/{xorder}", "buyer", kind=API, company=True
    ),
    Endpoint(
        "api:ordering-order-shipments",
        "GET",
        "/api/v1/orders/{xorder}/shipments",
        "buyer",
        kind=API,
        company=True,
    ),
    *[
        Endpoint(
            f"api:ordering-order-{n}",
            "POST",
            f"/api/v1/orders/{{xorder}}/{n}",
            "buyer",
            kind=API,
            data=d,
            wrong="xb",
            company=True,
        )
        for n, d in (("approve", {}), ("reject-approval", {"comment": "No"}))
    ],
    *[
        Endpoint(
            f"api:ordering-order-{n}",
            "POST",
            f"/api/v1/orders/{{xorder}}/{n}",
            "staff",
            kind=API,
            data=d,
            wrong=w,
            company=True,
        )
        for n, d, w in (
            ("validate", {}, "xb"),
            ("reject", {"reason": "No"}, "xb"),
            ("confirm", {}, "dispatcher"),
            ("ship", {"carrier": "{carrier}"}, "validator"),
            ("deliver", {}, "validator"),
            ("payments", {"amount": "1.00"}, "validator"),
        )
    ],
    # ordering portal pages (buyers; staff get 404 like the catalogue; viewers may not order)
    *[
        Endpoint(f"ordering-portal:{n}", "GET", path, "buyer", wrong="admin", wrong_status=404)
        for n, path in (
            ("cart", "/cart/"),
            ("quick-order", "/quick-order/"),
            ("lists", "/lists/"),
            ("checkout", "/checkout/"),
            ("orders", "/orders/"),
            ("orders-export", "/orders/export.csv"),
            ("approvals", "/approvals/"),
            ("notifications", "/notifications/"),
        )
    ],
    *[
        Endpoint(f"ordering-portal:{n}", "POST", path, "buyer", data=d, wrong="xv")
        for n, path, d in (
            ("cart-add", "/cart/add/", {"product": "{p}", "quantity": "1"}),
            ("cart-line", "/cart/lines/{p}/", {"quantity": "3"}),
            ("cart-line-remove", "/cart/lines/{p}/remove/", {}),
            ("cart-clear", "/cart/clear/", {}),
            ("cart-save", "/cart/save/", {"new_name": "From cart"}),
            ("quick-order", "/quick-order/", {"text": "MAT-1 2"}),
            ("lists", "/lists/", {"name": "New list"}),
            ("checkout", "/checkout/", {"delivery_address": "{xaddr}"}),
        )
    ],
    Endpoint(
        "ordering-portal:checkout-review",
        "POST",
        "/checkout/review/",
        "buyer",
        data={"delivery_address": "{xaddr}"},
        wrong="admin",
        wrong_status=404,
    ),
    Endpoint(
        "ordering-portal:notifications-read-all",
        "POST",
        "/notifications/read/",
        "buyer",
        wrong="admin",
        wrong_status=404,
    ),
    Endpoint(
        "ordering-portal:notification-read",
        "POST",
        "/notifications/{xnote}/read/",
        "buyer",
        wrong="xa",
        wrong_status=404,
        company=True,
    ),
    Endpoint(
        "ordering-portal:list",
        "GET",
        "/lists/{xlist}/",
        "buyer",
        wrong="admin",
        wrong_status=404,
        company=True,
    ),
    Endpoint(
        "ordering-portal:order",
        "GET",
        "/orders/{xorder}/",
        "buyer",
        wrong="admin",
        wrong_status=404,
        company=True,
    ),
    *[
        Endpoint(f"ordering-portal:{n}", "POST", path, "buyer", data=d, wrong=w, company=True)
        for n, path, d, w in (
            ("list-rename", "/lists/{xlist}/rename/", {"name": "Renamed"}, "xv"),
            ("list-delete", "/lists/{xlist}/delete/", {}, "xv"),
            ("list-add-item", "/lists/{xlist}/items/", {"sku": "MAT-1", "quantity": "2"}, "xv"),
            ("list-item", "/lists/{xlist}/items/{p}/", {"quantity": "2"}, "xv"),
            ("list-item-remove", "/lists/{xlist}/items/{p}/remove/", {}, "xv"),
            ("list-to-cart", "/lists/{xlist}/cart/", {}, "xv"),
            ("order-approve", "/orders/{xorder}/approve/", {"comment": "ok"}, "xb"),
            ("order-reject", "/orders/{xorder}/reject/", {"comment": "no"}, "xb"),
            ("order-cancel", "/orders/{xorder}/cancel/", {"reason": "no"}, "xv"),
            ("order-reorder", "/orders/{xorder}/reorder/", {"scope": "all"}, "xv"),
        )
    ],
    # ordering back office (staff; buyers are refused)
    *[
        Endpoint(f"ordering-backoffice:{n}", "GET", path, "staff", wrong="xb")
        for n, path in (
            ("queue", "/backoffice/orders/"),
            ("export", "/backoffice/orders/export.csv"),
            ("carriers", "/backoffice/orders/carriers/"),
            ("carrier-edit", "/backoffice/orders/carriers/{carrier}/"),
            ("detail", "/backoffice/orders/{xorder}/"),
        )
    ],
    Endpoint(
        "ordering-backoffice:carriers",
        "POST",
        "/backoffice/orders/carriers/",
        "staff",
        data={"name": "Matrix", "tracking_url_template": "https://t.example/{tracking}"},
        wrong="validator",
    ),
    Endpoint(
        "ordering-backoffice:carrier-edit",
        "POST",
        "/backoffice/orders/carriers/{carrier}/",
        "staff",
        data={"name": "Matrix", "tracking_url_template": "https://t.example/{tracking}"},
        wrong="validator",
    ),
    *[
        Endpoint(
            f"ordering-backoffice:{n}",
            "POST",
            f"/backoffice/orders/{{xorder}}/{n}/",
            "staff",
            data=d,
            wrong=w,
        )
        for n, d, w in (
            ("validate", {}, "dispatcher"),
            ("reject", {"reason": "No"}, "dispatcher"),
            ("confirm", {}, "dispatcher"),
            ("cancel", {"cancel_reason": "No"}, "dispatcher"),
            ("ship", {"carrier": "{carrier}"}, "validator"),
            ("deliver", {}, "validator"),
            ("payment", {"amount": "1.00"}, "validator"),
            ("proforma", {}, "validator"),
        )
    ],
    # sign-in security (sso): anyone signed in for their own account; administrators for others
    *[
        Endpoint(name, method, path, "signed_in")
        for name, method, path in (
            ("sso:security", "GET", "/account/security/"),
            ("sso:backup-codes", "POST", "/account/two-factor/backup-codes/"),
            ("sso:two-factor-remove", "POST", "/account/two-factor/remove/"),
            ("sso:sessions-end-others", "POST", "/account/sessions/end-others/"),
        )
    ],
    Endpoint(
        "sso:session-end",
        "POST",
        "/account/sessions/{sess}/end/",
        "buyer",
        wrong="xv",
        wrong_status=404,
        company=True,
    ),
    Endpoint(
        "sso-backoffice:security-log",
        "GET",
        "/backoffice/security-log/",
        "admin",
        wrong="validator",
    ),
    Endpoint(
        "sso-backoffice:user-sessions",
        "GET",
        "/backoffice/users/{xbu}/sessions/",
        "admin",
        wrong="validator",
    ),
    Endpoint(
        "sso-backoffice:user-sessions-end",
        "POST",
        "/backoffice/users/{xbu}/sessions/end/",
        "admin",
        wrong="validator",
    ),
    # an X member with an authenticator: a reset that was not refused would write
    Endpoint(
        "sso-backoffice:user-two-factor-reset",
        "POST",
        "/backoffice/users/{xtu}/two-factor/reset/",
        "admin",
        data={"reason": "Lost phone"},
        wrong="validator",
    ),
    Endpoint(
        "customers-portal:security-log",
        "GET",
        "/company/security-log/",
        "company_admin",
        wrong="xb",
    ),
    Endpoint(
        "customers-portal:member-sessions",
        "GET",
        "/company/team/{xbm}/sessions/",
        "company_admin",
        wrong="xv",
        company=True,
    ),
    Endpoint(
        "customers-portal:member-sessions-end",
        "POST",
        "/company/team/{xbm}/sessions/end/",
        "company_admin",
        wrong="xv",
        company=True,
    ),
    Endpoint(
        "customers-portal:member-two-factor-reset",
        "POST",
        "/company/team/{xtm}/two-factor/reset/",
        "company_admin",
        data={"reason": "Lost phone"},
        wrong="xv",
        company=True,
    ),
]

# Endpoints anyone may call, and why that is safe.
PUBLIC = {
    "commerce:home": "redirects to the sign-in page or the user's home",
    "sso:login": "the sign-in page",
    "sso:logout": "ends the caller's own session",
    "sso:handoff": "a single-use sign-up ticket (tests/test_signup.py)",
    "sso:login-verify": "the second sign-in step: only with a pending sign-in (sso/tests)",
    "sso:two-factor-setup": "set-up for the signed-in or a pending sign-in, else sign-in page",
    "sso:password-reset": "asks for a reset e-mail; the same answer for any address",
    "sso:password-reset-confirm": "a single-use, expiring reset token (sso/tests)",
    "customers-portal:invitation-accept": "a single-use invitation token (customers tests)",
    "catalog-backoffice:product-create": "GET shows an empty form to staff (POST listed)",
    "api:schema": "the OpenAPI description, the same for every portal",
    "api:docs": "Swagger UI over the schema",
    "api:redoc": "Redoc over the schema",
    ":media": "files only from this tenant's prefix (tests/test_theme.py)",
    ":healthz": "database and Redis health, no data",
    "saml-sp:discover": "starts an SSO login for an e-mail's domain (sso/saml/tests)",
    "saml-sp:metadata": "the SP metadata the IdP's administrator needs, no secrets",
    "saml-sp:acs": "accepts only signed responses to this session's requests (sso/saml/tests)",
    "saml-sp:idp-confirm": "signs in only with this session's confirmation token (sso/saml/tests)",
}


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "#7a1f5c").save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def world(alpha, beta, tmp_path, settings):
    """Company X (admin, buyer, viewer, a member with an authenticator) and Y (admin, buyer)
    in alpha; staff; catalogue and pricing objects; a beta admin and buyer; API keys."""
    settings.MEDIA_ROOT = tmp_path
    ids: dict[str, str] = {}
    with schema_context(alpha.schema):
        x, y = CompanyFactory(name="Xylo GmbH"), CompanyFactory(name="Yarrow BV")
        for prefix, company in (("x", x), ("y", y)):
            MembershipFactory(
                company=company,
                role=MemberRole.COMPANY_ADMIN,
                user=UserFactory(email=f"{prefix}a@buyer.test"),
            )
            member = MembershipFactory(
                company=company, user=UserFactory(email=f"{prefix}b@buyer.test")
            )
            ids[f"{prefix}bm"] = str(member.public_id)
            ids[f"{prefix}addr"] = str(DeliveryAddressFactory(company=company).public_id)
            ids[f"{prefix}cc"] = str(CostCentreFactory(company=company).public_id)
        MembershipFactory(
            company=x, role=MemberRole.VIEWER, user=UserFactory(email="xv@buyer.test")
        )
        x_two_factor = MembershipFactory(company=x, user=UserFactory(email="xt@buyer.test"))
        TOTPDevice.objects.create(user=x_two_factor.user, name="Authenticator", confirmed=True)
        for role in ("validator", "dispatcher"):
            user_create(
                actor=alpha.admin,
                email=f"{role}@alpha.test",
                full_name=role.title(),
                password=TEST_PASSWORD,
                kind="staff",
                staff_role=role,
            )
        invitation, _ = invitation_create(
            actor=alpha.admin,
            company=x,
            email="inv@x.test",
            full_name="",
            role="buyer",
            approval_limit=None,
            portal_url="http://alpha.portico.localhost",
        )
        product = ProductFactory(sku="MAT-1", name="Matrix bolt")
        image = product_image_add(actor=alpha.admin, product=product, upload=_png(), alt_text="")
        price_list = PriceListFactory(name="Gold")
        item = price_list_item_set(
            actor=alpha.admin,
            price_list=price_list,
            product=product,
            min_quantity=1,
            unit_price="1.00",
        )
        contract = contract_price_create(
            actor=alpha.admin,
            company=x,
            product=product,
            unit_price="0.90",
            valid_from=date(2026, 1, 1),
        )
        job = import_upload(
            actor=alpha.admin,
            kind="stock",
            upload=SimpleUploadedFile("s.csv", b"sku,warehouse,on_hand\n"),
        )
        x_buyer = User.objects.get(email="xb@buyer.test")
        x_session = UserSession.objects.create(
            user=x_buyer,
            key_hash="0" * 64,
            sealed_key="",
            method="password",
            last_seen_at=timezone.now(),
        )
        cart_add(actor=x_buyer, product_id=product.public_id, quantity=2)
        order = order_place(actor=x_buyer, data=CheckoutInput(delivery_address=ids["xaddr"]))
        x_list = list_create(actor=x_buyer, name="Matrix list")
        carrier = carrier_save(
            actor=alpha.admin,
            name="Matrix Post",
            tracking_url_template="https://t.example/{tracking}",
        )
        sso = connection_create(
            actor=alpha.admin,
            data=ConnectionInput(
                name="Matrix staff IdP",
                audience="staff",
                idp_entity_id="https://idp.matrix.test/saml",
                idp_sso_url="https://idp.matrix.test/sso",
                certificates=key_pair("matrix-idp")[1],
                email_domains="matrix.test",
                default_role="validator",
            ),
        )
        key, _ = api_key_create(actor=alpha.admin, name="K", scopes=["read"])
        _, read_raw = api_key_create(actor=alpha.admin, name="R", scopes=["read"])
        _, integration_raw = api_key_create(actor=alpha.admin, name="I", scopes=["integration"])
        ids.update(
            x=str(x.public_id),
            p=str(product.public_id),
            img=str(image.public_id),
            pl=str(price_list.public_id),
            item=str(item.pk),
            contract=str(contract.public_id),
            job=str(job.public_id),
            key=str(key.public_id),
            c=str(CategoryFactory().public_id),
            w=str(WarehouseFactory().public_id),
            xinv=str(invitation.public_id),
            xorder=str(order.public_id),
            xlist=str(x_list.public_id),
            carrier=str(carrier.public_id),
            xnote=str(Notification.objects.get(user=x_buyer, order=order).public_id),
            xbu=str(x_buyer.public_id),
            xtm=str(x_two_factor.public_id),
            xtu=str(x_two_factor.user.public_id),
            sess=str(x_session.public_id),
            sso=str(sso.public_id),
            cert=key_pair("matrix-idp")[1],
        )
    with schema_context(beta.schema):
        MembershipFactory(user=UserFactory(email="bb@buyer.test"))
    return {"ids": ids, "keys": {"key_read": read_raw, "key_integration": integration_raw}}


def _client(who: str, alpha, beta, world) -> Client:
    if who.startswith("key_"):
        return Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Api-Key {world['keys'][who]}")
    tenant = beta if who.startswith("beta_") else alpha
    email = {
        "admin": "admin@alpha.test",
        "validator": "validator@alpha.test",
        "dispatcher": "dispatcher@alpha.test",
        "beta_admin": "admin@beta.test",
        "beta_buyer": "bb@buyer.test",
    }.get(who, f"{who}@buyer.test")
    client = tenant.client()
    response = client.post("/login/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, f"{who} could not sign in"
    return client


class _Ids(dict[str, str]):
    """Ids for ``str.format_map``; other placeholders (a carrier's ``{tracking}``) stay."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _call(client: Client, endpoint: Endpoint, ids: dict[str, str]) -> Any:
    path = endpoint.path.format(**ids)
    known = _Ids(ids)
    data = {k: v.format_map(known) if isinstance(v, str) else v for k, v in endpoint.data.items()}
    if endpoint.method == "GET":
        return client.get(path)
    if endpoint.kind == API:
        return client.generic(
            endpoint.method, path, json.dumps(data), content_type="application/json"
        )
    return client.post(path, data)


def _audit_count(schema: str) -> int:
    with schema_context(schema):
        return AuditEntry.objects.count()


def _refused(client, endpoint, world, alpha, expected: int) -> None:
    before = _audit_count(alpha.schema)
    response = _call(client, endpoint, world["ids"])
    assert response.status_code == expected, (endpoint.name, response.status_code)
    assert _audit_count(alpha.schema) == before, f"{endpoint.name} wrote although refused"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.name}")
def test_anonymous_is_sent_to_sign_in_or_gets_401(endpoint, world, alpha):
    client = Client(HTTP_HOST=alpha.host)
    before = _audit_count(alpha.schema)
    response = _call(client, endpoint, world["ids"])
    if endpoint.kind == API:
        assert response.status_code == 401, endpoint.name
    else:
        assert response.status_code == 302, endpoint.name
        assert response["Location"].startswith("/login/?next="), endpoint.name
    assert _audit_count(alpha.schema) == before


@pytest.mark.parametrize(
    "endpoint",
    [
        e
        for e in ENDPOINTS
        if (e.has_ids and e.kind == PAGE) or (e.has_ids and e.audience == "buyer")
    ],
    ids=lambda e: f"{e.method} {e.name}",
)
def test_another_tenant_gets_404_for_this_tenants_ids(endpoint, world, alpha, beta):
    who = "beta_buyer" if endpoint.audience in {"buyer", "company_admin"} else "beta_admin"
    _refused(_client(who, alpha, beta, world), endpoint, world, alpha, 404)


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.company], ids=lambda e: f"{e.method} {e.name}"
)
def test_another_company_gets_404_for_this_companys_ids(endpoint, world, alpha, beta):
    _refused(_client("ya", alpha, beta, world), endpoint, world, alpha, 404)


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.wrong], ids=lambda e: f"{e.method} {e.name} as {e.wrong}"
)
def test_the_wrong_role_is_refused_and_nothing_changes(endpoint, world, alpha, beta):
    assert endpoint.wrong is not None
    _refused(
        _client(endpoint.wrong, alpha, beta, world), endpoint, world, alpha, endpoint.wrong_status
    )


def _names(patterns: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _names(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}:{pattern.name}")
    return names


def test_every_portal_endpoint_is_in_this_suite():
    routed = _names(get_resolver("control_plane.urls_tenant").url_patterns)
    listed = {e.name for e in ENDPOINTS} | set(PUBLIC)
    assert sorted(routed - listed) == [], "add the new endpoints to ENDPOINTS (or PUBLIC)"
    assert sorted(listed - routed) == []
