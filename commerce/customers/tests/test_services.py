"""Customers services: companies, addresses, cost centres, invitations, team rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers import services
from commerce.customers.errors import CustomerError, CustomerInvalid, InvitationUnusable
from commerce.customers.models import Company, CostCentre, DeliveryAddress, Invitation, Membership
from commerce.customers.services import CompanyInput
from commerce.customers.tests.conftest import PORTAL
from core.errors import NotFound, PermissionDenied
from outbox.models import OutboxMessage
from sso.models import User
from tests.factories import (
    CostCentreFactory,
    DeliveryAddressFactory,
    PriceListFactory,
    ProductFactory,
)

GOOD = CompanyInput(
    name="  Acme Trading GmbH ",
    vat_id="de 123.456.789",
    billing_line1="Hauptstraße 1",
    billing_postcode="10115",
    billing_city="Berlin",
    billing_country="DE",
    payment_terms="net",
    net_days=30,
    credit_limit="12500,5",
)


def problems(exc: CustomerInvalid) -> dict[str, str]:
    return {p.field: p.message for p in exc.value.problems}


def company_state():
    return list(Company.objects.order_by("id").values_list("id", "name", "status", "credit_limit"))


# --- Companies --------------------------------------------------------------------------------


def test_an_account_manager_creates_a_company_normalised_and_audited(alpha, staff):
    with schema_context(alpha.schema):
        price_list = PriceListFactory(name="Trade")
        ProductFactory(sku="BOLT-1")
        manager = staff["account_manager"]
        data = replace(
            GOOD,
            account_manager=manager,
            price_lists=[price_list],
            assortment_restricted=True,
            assortment_skus=["BOLT-1"],
        )

        company = services.company_create(actor=manager, data=data)

        company.refresh_from_db()
        assert (company.name, company.vat_id, company.credit_limit, company.net_days) == (
            "Acme Trading GmbH",
            "DE123456789",
            Decimal("12500.50"),
            30,
        )
        assert company.terms_label == "Net 30 days"
        assert [pl.name for pl in company.price_lists.all()] == ["Trade"]
        assert [p.sku for p in company.assortment.all()] == ["BOLT-1"]
        entry = AuditEntry.objects.get(action="company.created", object_id=str(company.public_id))
        assert entry.details == {"company": str(company.public_id)}
        assert entry.changes["name"] == [None, "Acme Trading GmbH"]
        assert entry.changes["price_lists"] == [None, ["Trade"]]
        assert entry.actor_label == "account_manager@alpha.test"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": " "}, "name", "Enter the company's legal name."),
        (
            {"vat_id": "DE12345"},
            "vat_id",
            "“DE12345” is not a valid VAT id for Germany: use DE followed by 9 digits, e.g. DE123456789.",
        ),
        (
            {"vat_id": "FR12345678901"},
            "vat_id",
            "“FR12345678901” is not a valid VAT id for Germany: use DE followed by 9 digits, e.g. DE123456789.",
        ),
        (
            {"billing_postcode": "1011"},
            "billing_postcode",
            "“1011” is not a valid postcode for Germany: use 5 digits.",
        ),
        ({"billing_postcode": ""}, "billing_postcode", "Enter the postcode."),
        ({"billing_country": "XX"}, "billing_country", "Choose the country from the list."),
        ({"billing_line1": ""}, "billing_line1", "Enter the street and number."),
        ({"billing_city": ""}, "billing_city", "Enter the city."),
        ({"payment_terms": "barter"}, "payment_terms", "Choose prepayment, card or net terms."),
        (
            {"net_days": None},
            "net_days",
            "Enter the number of days for net terms, for example 30.",
        ),
        (
            {"net_days": 400},
            "net_days",
            "Net terms must be between 1 and 365 days; got 400.",
        ),
        (
            {"payment_terms": "card"},
            "net_days",
            "Days apply to net terms only: clear the days or choose net terms.",
        ),
        (
            {"credit_limit": "lots"},
            "credit_limit",
            "Credit limit: “lots” is not an amount; write it like 12.50.",
        ),
        ({"credit_limit": "-1"}, "credit_limit", "Credit limit cannot be negative."),
        (
            {"credit_limit": "1e15"},
            "credit_limit",
            "Credit limit is too large; the most is 999,999,999,999.99.",
        ),
        (
            {"status": "on_hold", "hold_reason": "  "},
            "hold_reason",
            "Say why the company is on hold; its buyers see this reason.",
        ),
        ({"status": "closed"}, "status", "Choose active or on hold."),
        (
            {"assortment_skus": ["NOPE-2", "NOPE-1"]},
            "assortment_skus",
            "Unknown SKUs: NOPE-1, NOPE-2. Check them against the catalogue.",
        ),
        (
            {"assortment_restricted": True},
            "assortment_skus",
            "List at least one SKU for a restricted assortment, or turn the restriction off.",
        ),
    ],
)
def test_bad_company_input_is_refused_with_a_specific_message(alpha, change, field, message):
    with schema_context(alpha.schema):
        before = company_state()
        with pytest.raises(CustomerInvalid) as exc:
            services.company_create(actor=alpha.admin, data=replace(GOOD, **change))
        assert problems(exc) == {field: message}
        assert company_state() == before
        assert not AuditEntry.objects.filter(action="company.created").exists()


def test_every_problem_is_reported_at_once(alpha):
    with schema_context(alpha.schema):
        with pytest.raises(CustomerInvalid) as exc:
            services.company_create(
                actor=alpha.admin,
                data=replace(GOOD, name="", vat_id="NL1", billing_country="NL", net_days=None),
            )
        assert sorted(problems(exc)) == ["billing_postcode", "name", "net_days", "vat_id"]
        assert problems(exc)["vat_id"] == (
            "“NL1” is not a valid VAT id for Netherlands: use NL, 9 digits, B, 2 digits, "
            "e.g. NL123456789B01."
        )


def test_countries_without_a_vat_format_accept_any_id(alpha):
    with schema_context(alpha.schema):
        company = services.company_create(
            actor=alpha.admin,
            data=replace(
                GOOD, billing_country="US", vat_id="12-3456789", billing_postcode="94105-1234"
            ),
        )
        assert (company.vat_id, company.billing_postcode) == ("123456789", "94105-1234")


def test_account_manager_must_be_active_staff(alpha, x):
    with schema_context(alpha.schema):
        with pytest.raises(CustomerInvalid) as exc:
            services.company_create(
                actor=alpha.admin, data=replace(GOOD, account_manager=x.admin.user)
            )
        assert problems(exc) == {
            "account_manager": "Choose an active member of your staff as account manager."
        }


def test_editing_a_company_audits_only_what_changed(alpha, x):
    with schema_context(alpha.schema):
        company = x.company
        data = CompanyInput(
            name=company.name,
            vat_id=company.vat_id,
            billing_line1=company.billing_line1,
            billing_postcode=company.billing_postcode,
            billing_city=company.billing_city,
            billing_country="DE",
            credit_limit=company.credit_limit,
            status="on_hold",
            hold_reason="Invoice 2024-117 is 60 days overdue.",
        )
        services.company_update(actor=alpha.admin, company=company, data=data)

        company.refresh_from_db()
        assert (company.status, company.hold_reason) == (
            "on_hold",
            "Invoice 2024-117 is 60 days overdue.",
        )
        entry = AuditEntry.objects.get(action="company.updated")
        assert entry.changes == {
            "hold_reason": ["", "Invoice 2024-117 is 60 days overdue."],
            "status": ["active", "on_hold"],
        }
        # Saving the same values again writes no entry.
        services.company_update(actor=alpha.admin, company=company, data=data)
        assert AuditEntry.objects.filter(action="company.updated").count() == 1
        # Back to active clears the reason.
        services.company_update(
            actor=alpha.admin, company=company, data=replace(data, status="active")
        )
        company.refresh_from_db()
        assert (company.status, company.hold_reason) == ("active", "")


@pytest.mark.parametrize("role", ["validator", "dispatcher", "finance"])
def test_staff_without_the_customer_role_cannot_change_companies(alpha, staff, x, role):
    with schema_context(alpha.schema):
        before = company_state()
        with pytest.raises(PermissionDenied, match="Only administrators and account managers"):
            services.company_create(actor=staff[role], data=GOOD)
        with pytest.raises(PermissionDenied):
            services.company_update(actor=staff[role], company=x.company, data=GOOD)
        with pytest.raises(PermissionDenied):
            services.address_create(
                actor=staff[role],
                company=x.company,
                label="Dock",
                line1="Kai 1",
                postcode="20095",
                city="Hamburg",
                country="DE",
            )
        assert company_state() == before


def test_a_company_admin_cannot_change_company_details(alpha, x):
    with schema_context(alpha.schema):
        before = company_state()
        with pytest.raises(PermissionDenied):
            services.company_update(actor=x.admin.user, company=x.company, data=GOOD)
        assert company_state() == before


# --- Addresses and cost centres ---------------------------------------------------------------

ADDRESS = {
    "label": "Dock 4",
    "line1": "Kai 1",
    "postcode": "20095",
    "city": "Hamburg",
    "country": "DE",
}


def addresses(company):
    return list(
        DeliveryAddress.objects.filter(company=company)
        .order_by("id")
        .values_list("label", "is_default", "active")
    )


def test_the_first_address_is_the_default_and_the_default_moves(alpha, x):
    with schema_context(alpha.schema):
        first = services.address_create(actor=x.admin.user, company=x.company, **ADDRESS)
        second = services.address_create(
            actor=x.admin.user, company=x.company, **{**ADDRESS, "label": "Annex"}
        )
        assert addresses(x.company) == [("Dock 4", True, True), ("Annex", False, True)]

        services.address_update(
            actor=x.admin.user, address=second, **{**ADDRESS, "label": "Annex"}, is_default=True
        )
        assert addresses(x.company) == [("Dock 4", False, True), ("Annex", True, True)]

        services.address_deactivate(actor=alpha.admin, address=second)
        assert addresses(x.company) == [("Dock 4", True, True), ("Annex", False, False)]
        entry = AuditEntry.objects.get(action="company.address_deactivated")
        assert entry.details == {
            "company": str(x.company.public_id),
            "new_default": str(first.public_id),
        }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"label": ""}, "label", "Name the address, for example “Main warehouse”."),
        (
            {"postcode": "2009"},
            "postcode",
            "“2009” is not a valid postcode for Germany: use 5 digits.",
        ),
        (
            {"country": "NL", "postcode": "1234"},
            "postcode",
            "“1234” is not a valid postcode for Netherlands: write it like 1234 AB.",
        ),
        ({"city": " "}, "city", "Enter the city."),
    ],
)
def test_bad_addresses_are_refused(alpha, x, change, field, message):
    with schema_context(alpha.schema):
        with pytest.raises(CustomerInvalid) as exc:
            services.address_create(actor=x.admin.user, company=x.company, **{**ADDRESS, **change})
        assert problems(exc) == {field: message}
        assert addresses(x.company) == []


def test_cost_centre_codes_are_unique_per_company(alpha, x, y):
    with schema_context(alpha.schema):
        centre = services.cost_centre_create(
            actor=x.admin.user, company=x.company, code=" CC-100 ", name="Workshop"
        )
        assert (centre.code, centre.name) == ("CC-100", "Workshop")
        services.cost_centre_create(actor=alpha.admin, company=y.company, code="CC-100", name="Y")
        with pytest.raises(CustomerInvalid) as exc:
            services.cost_centre_create(
                actor=x.admin.user, company=x.company, code="cc-100", name="Other"
            )
        assert problems(exc) == {
            "code": "The code “cc-100” is already used in this company; choose another."
        }
        services.cost_centre_update(
            actor=x.admin.user, cost_centre=centre, code="CC-100", name="Workshop east"
        )
        services.cost_centre_deactivate(actor=x.admin.user, cost_centre=centre)
        centre.refresh_from_db()
        assert (centre.name, centre.active) == ("Workshop east", False)
        assert list(
            AuditEntry.objects.filter(object_id=str(centre.public_id))
            .order_by("id")
            .values_list("action", flat=True)
        ) == [
            "company.cost_centre_created",
            "company.cost_centre_updated",
            "company.cost_centre_deactivated",
        ]


@pytest.mark.parametrize("who", ["buyer", "viewer"])
def test_members_who_are_not_admins_change_nothing(alpha, x, who):
    with schema_context(alpha.schema):
        actor = getattr(x, who).user
        address = DeliveryAddressFactory(company=x.company, label="Main", is_default=True)
        centre = CostCentreFactory(company=x.company, code="CC1", name="One")
        before = (addresses(x.company), list(CostCentre.objects.values_list("code", "active")))
        calls = [
            lambda: services.address_create(actor=actor, company=x.company, **ADDRESS),
            lambda: services.address_update(actor=actor, address=address, **ADDRESS),
            lambda: services.address_deactivate(actor=actor, address=address),
            lambda: services.cost_centre_create(actor=actor, company=x.company, code="C", name="C"),
            lambda: services.cost_centre_deactivate(actor=actor, cost_centre=centre),
            lambda: services.invitation_create(
                actor=actor, company=x.company, email="n@b.test", role="buyer", portal_url=PORTAL
            ),
            lambda: services.member_change_role(actor=actor, membership=x.buyer, role="viewer"),
            lambda: services.member_deactivate(actor=actor, membership=x.admin),
        ]
        for call in calls:
            with pytest.raises(PermissionDenied, match="Only your company's administrators"):
                call()
        assert (
            addresses(x.company),
            list(CostCentre.objects.values_list("code", "active")),
        ) == before
        assert Invitation.objects.count() == 0
        assert Membership.objects.get(pk=x.buyer.pk).role == "buyer"
        assert User.objects.get(pk=x.admin.user_id).is_active


def test_a_company_admin_cannot_touch_another_company(alpha, x, y):
    with schema_context(alpha.schema):
        address = DeliveryAddressFactory(company=y.company, label="Y main", is_default=True)
        with pytest.raises(NotFound):
            services.address_deactivate(actor=x.admin.user, address=address)
        with pytest.raises(NotFound):
            services.member_deactivate(actor=x.admin.user, membership=y.buyer)
        with pytest.raises(NotFound):
            services.invitation_create(
                actor=x.admin.user,
                company=y.company,
                email="n@b.test",
                role="buyer",
                portal_url=PORTAL,
            )
        address.refresh_from_db()
        assert address.active
        assert User.objects.get(pk=y.buyer.user_id).is_active
        assert Invitation.objects.count() == 0


# --- Invitations ------------------------------------------------------------------------------


def email_rows():
    return list(
        OutboxMessage.objects.filter(kind="email", payload__template="invitation")
        .order_by("id")
        .values_list("payload", flat=True)
    )


def test_inviting_stores_only_a_hash_and_emails_a_primary_domain_link(alpha, x):
    with schema_context(alpha.schema):
        invitation, token = services.invitation_create(
            actor=x.admin.user,
            company=x.company,
            email=" New.Buyer@Example.com ",
            full_name="Nina New",
            role="approver",
            approval_limit="5000",
            portal_url=PORTAL,
        )
        invitation.refresh_from_db()
        assert invitation.email == "new.buyer@example.com"
        assert invitation.approval_limit == Decimal("5000.00")
        assert token not in invitation.token_hash and len(invitation.token_hash) == 64
        assert (
            timedelta(days=6, hours=23)
            < invitation.expires_at - timezone.now()
            <= timedelta(days=7)
        )
        [payload] = email_rows()
        assert payload == {
            "template": "invitation",
            "to": ["new.buyer@example.com"],
            "subject": "You are invited to order for Xylo GmbH",
            "context": {
                "name": "Nina New",
                "company": "Xylo GmbH",
                "inviter": "Xylo GmbH Admin",
                "role": "Approver",
                "email": "new.buyer@example.com",
                "link": f"{PORTAL}/invitations/{token}/",
                "expires": f"{invitation.expires_at:%d %b %Y}",
            },
        }
        entry = AuditEntry.objects.get(action="company.member_invited")
        assert entry.details == {
            "company": str(x.company.public_id),
            "email": "new.buyer@example.com",
            "role": "approver",
        }


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter an e-mail address like name@company.com."),
        (
            {"email": "X-BUYER@buyer.test"},
            "email",
            "There is already an account for x-buyer@buyer.test here.",
        ),
        (
            {"email": "admin@alpha.test"},
            "email",
            "There is already an account for admin@alpha.test here.",
        ),
        (
            {"role": "administrator"},
            "role",
            "Choose one of the roles: Buyer, Approver, Finance, Company admin, Viewer.",
        ),
        (
            {"role": "approver"},
            "approval_limit",
            "Set the amount up to which this approver may approve orders, for example 5000.",
        ),
        (
            {"role": "buyer", "approval_limit": "100"},
            "approval_limit",
            "Only approvers have an amount limit: clear it or choose the approver role.",
        ),
        (
            {"role": "approver", "approval_limit": "-5"},
            "approval_limit",
            "Approval limit cannot be negative.",
        ),
    ],
)
def test_bad_invitations_are_refused(alpha, x, change, field, message):
    with schema_context(alpha.schema):
        with pytest.raises(CustomerInvalid) as exc:
            services.invitation_create(
                actor=x.admin.user,
                company=x.company,
                portal_url=PORTAL,
                **{"email": "new@buyer.test", "role": "buyer", **change},
            )
        assert problems(exc) == {field: message}
        assert Invitation.objects.count() == 0
        assert email_rows() == []


def test_a_second_pending_invitation_for_the_same_email_is_refused(alpha, x, y):
    with schema_context(alpha.schema):
        services.invitation_create(
            actor=x.admin.user, company=x.company, email="n@b.test", role="buyer", portal_url=PORTAL
        )
        with pytest.raises(CustomerInvalid) as exc:
            services.invitation_create(
                actor=alpha.admin,
                company=y.company,
                email="n@b.test",
                role="buyer",
                portal_url=PORTAL,
            )
        assert problems(exc) == {
            "email": "n@b.test already has a pending invitation; send that one again instead."
        }
        assert Invitation.objects.count() == 1


def invite(actor, company, email="nina@buyer.test", role="buyer", **extra):
    return services.invitation_create(
        actor=actor, company=company, email=email, role=role, portal_url=PORTAL, **extra
    )


def test_accepting_creates_the_buyer_and_the_membership_once(alpha, x):
    with schema_context(alpha.schema):
        invitation, token = invite(x.admin.user, x.company, role="approver", approval_limit="250")

        membership = services.invitation_accept(
            token=token, full_name="Nina New", password="Another-Good-Pass-77"
        )

        assert (membership.company_id, membership.role, membership.approval_limit) == (
            x.company.pk,
            "approver",
            Decimal("250.00"),
        )
        user = membership.user
        assert (user.email, user.full_name, user.kind, user.is_active) == (
            "nina@buyer.test",
            "Nina New",
            "buyer",
            True,
        )
        assert authenticate(username="nina@buyer.test", password="Another-Good-Pass-77") == user
        invitation.refresh_from_db()
        assert invitation.accepted_at is not None
        joined = AuditEntry.objects.get(action="company.member_joined")
        assert joined.details == {
            "company": str(x.company.public_id),
            "invitation": str(invitation.public_id),
            "role": "approver",
        }

        with pytest.raises(InvitationUnusable) as used:
            services.invitation_accept(
                token=token, full_name="Again", password="Another-Good-Pass-77"
            )
        assert used.value.message == (
            "This invitation was already used. Sign in with your e-mail and password."
        )
        assert User.objects.filter(email="nina@buyer.test").count() == 1


def account_counts():
    return (User.objects.count(), Membership.objects.count())


def test_expired_revoked_unknown_and_resent_links_create_nothing(alpha, x):
    with schema_context(alpha.schema):
        before = account_counts()
        expired, expired_token = invite(x.admin.user, x.company, email="old@buyer.test")
        Invitation.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        revoked, revoked_token = invite(x.admin.user, x.company, email="gone@buyer.test")
        services.invitation_revoke(actor=x.admin.user, invitation=revoked)
        resent, first_token = invite(x.admin.user, x.company, email="again@buyer.test")
        new_token = services.invitation_resend(
            actor=x.admin.user, invitation=resent, portal_url=PORTAL
        )

        cases = {
            expired_token: "invitation_expired",
            revoked_token: "invitation_revoked",
            first_token: "invitation_unknown",
            "made-up-token": "invitation_unknown",
        }
        for token, code in cases.items():
            with pytest.raises(InvitationUnusable) as exc:
                services.invitation_accept(
                    token=token, full_name="N", password="Another-Good-Pass-77"
                )
            assert exc.value.code == code
        assert account_counts() == before
        expired.refresh_from_db()
        with pytest.raises(InvitationUnusable) as exc:
            services.invitation_usable(expired_token)
        assert exc.value.message == (
            f"This invitation expired on {expired.expires_at:%d %b %Y}. "
            "Ask your contact to send it again."
        )
        assert [p["context"]["link"] for p in email_rows()][
            -1
        ] == f"{PORTAL}/invitations/{new_token}/"
        services.invitation_accept(
            token=new_token, full_name="Ann", password="Another-Good-Pass-77"
        )
        assert account_counts() == (before[0] + 1, before[1] + 1)


def test_a_weak_password_or_missing_name_creates_nothing(alpha, x):
    with schema_context(alpha.schema):
        invitation, token = invite(x.admin.user, x.company)
        before = account_counts()
        with pytest.raises(CustomerError) as weak:
            services.invitation_accept(token=token, full_name="Nina", password="123")
        assert (weak.value.field, weak.value.message) == (
            "password",
            "This password is too short. It must contain at least 10 characters. "
            "This password is too common. This password is entirely numeric.",
        )
        with pytest.raises(CustomerError) as nameless:
            services.invitation_accept(token=token, full_name=" ", password="Another-Good-Pass-77")
        assert (nameless.value.field, nameless.value.message) == (
            "full_name",
            "Enter your full name.",
        )
        assert account_counts() == before
        invitation.refresh_from_db()
        assert invitation.accepted_at is None


def test_an_email_that_got_an_account_meanwhile_is_refused_clearly(alpha, x, y):
    with schema_context(alpha.schema):
        _, token = invite(x.admin.user, x.company, email="late@buyer.test")
        User.objects.create_user(email="late@buyer.test", full_name="Late", kind="buyer")
        before = account_counts()
        with pytest.raises(InvitationUnusable) as exc:
            services.invitation_accept(
                token=token, full_name="Late", password="Another-Good-Pass-77"
            )
        assert exc.value.message == (
            "There is already an account for late@buyer.test on this portal. Sign in with it, "
            "or ask for an invitation to another e-mail address."
        )
        assert account_counts() == before


def test_an_accepted_invitation_cannot_be_revoked_or_resent(alpha, x):
    with schema_context(alpha.schema):
        invitation, token = invite(x.admin.user, x.company)
        services.invitation_accept(token=token, full_name="N", password="Another-Good-Pass-77")
        for call in (
            lambda: services.invitation_revoke(actor=x.admin.user, invitation=invitation),
            lambda: services.invitation_resend(
                actor=x.admin.user, invitation=invitation, portal_url=PORTAL
            ),
        ):
            with pytest.raises(InvitationUnusable) as exc:
                call()
            assert exc.value.message == (
                "nina@buyer.test already accepted this invitation; manage them as a member instead."
            )


# --- Team rules -------------------------------------------------------------------------------


def test_a_company_admin_changes_roles_but_not_their_own(alpha, x):
    with schema_context(alpha.schema):
        services.member_change_role(
            actor=x.admin.user, membership=x.buyer, role="approver", approval_limit="1000"
        )
        x.buyer.refresh_from_db()
        assert (x.buyer.role, x.buyer.approval_limit) == ("approver", Decimal("1000.00"))
        entry = AuditEntry.objects.get(action="company.member_role_changed")
        assert entry.changes == {
            "approval_limit": [None, "1000.00"],
            "role": ["buyer", "approver"],
        }

        with pytest.raises(CustomerError) as own:
            services.member_change_role(actor=x.admin.user, membership=x.admin, role="buyer")
        assert (
            own.value.message
            == "You cannot change the role of yourself; ask another company admin."
        )
        with pytest.raises(CustomerError) as self_off:
            services.member_deactivate(actor=x.admin.user, membership=x.admin)
        assert (
            self_off.value.message == "You cannot deactivate yourself; ask another company admin."
        )
        x.admin.refresh_from_db()
        assert x.admin.role == "company_admin" and x.admin.user.is_active


def test_the_last_company_admin_keeps_the_role(alpha, x, staff):
    with schema_context(alpha.schema):
        with pytest.raises(CustomerError) as exc:
            services.member_change_role(
                actor=staff["account_manager"], membership=x.admin, role="buyer"
            )
        assert exc.value.message == (
            "x-admin@buyer.test is the company's last admin; make someone else company admin first."
        )
        assert Membership.objects.get(pk=x.admin.pk).role == "company_admin"
        # With a second admin, the first may be demoted.
        services.member_change_role(actor=x.admin.user, membership=x.buyer, role="company_admin")
        promoted = User.objects.get(pk=x.buyer.user_id)
        services.member_change_role(actor=promoted, membership=x.admin, role="buyer")
        assert Membership.objects.get(pk=x.admin.pk).role == "buyer"


def test_a_company_admin_can_never_grant_supplier_staff_rights(alpha, x):
    with schema_context(alpha.schema):
        for role in ("administrator", "account_manager", "staff"):
            with pytest.raises(CustomerInvalid):
                services.member_change_role(actor=x.admin.user, membership=x.buyer, role=role)
        user = User.objects.get(pk=x.buyer.user_id)
        assert (user.kind, user.staff_role, x.buyer.role) == ("buyer", "", "buyer")
        assert Membership.objects.get(pk=x.buyer.pk).role == "buyer"


def test_deactivating_a_member_stops_their_sign_in(alpha, x, staff):
    with schema_context(alpha.schema):
        services.member_deactivate(actor=x.admin.user, membership=x.buyer)
        assert (
            authenticate(username="x-buyer@buyer.test", password="Correct-Horse-Battery-42") is None
        )
        # Staff can cut off even the last company admin.
        services.member_deactivate(actor=staff["account_manager"], membership=x.admin)
        assert not User.objects.get(pk=x.admin.user_id).is_active
        assert (
            list(
                AuditEntry.objects.filter(action="company.member_deactivated")
                .order_by("id")
                .values_list("changes", flat=True)
            )
            == [{"is_active": [True, False]}] * 2
        )


def test_the_invitation_email_wears_the_portal_theme_and_carries_the_link(alpha, x, mailoutbox):
    from outbox.services import outbox_deliver

    with schema_context(alpha.schema):
        _, token = invite(x.admin.user, x.company, full_name="Nina")
        message = OutboxMessage.objects.get(payload__template="invitation")
        assert outbox_deliver(message_id=message.pk) == "delivered"
    [mail] = mailoutbox
    link = f"{PORTAL}/invitations/{token}/"
    assert (mail.to, mail.subject) == (
        ["nina@buyer.test"],
        "You are invited to order for Xylo GmbH",
    )
    assert link in mail.body and "Hello Nina," in mail.body
    html = mail.alternatives[0][0]
    assert f'href="{link}"' in html and "Alpha Supplies" in html
