"""An administrator resets the two-factor sign-in of someone who lost both their authenticator
and their backup codes: over HTTP (back office, company admin's team pages) and through the
service, with every refusal leaving everything as it was."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.choices import MemberRole
from core.errors import NotFound, PermissionDenied
from outbox.models import OutboxMessage
from outbox.services import outbox_deliver
from sso.errors import TwoFactorError
from sso.models import User, UserSession
from sso.services import totp_reset
from sso.tests.support import code_for, enrolled, password_step, staff
from tenants.models import Domain
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

ALIAS = "orders.alpha-supplies.test"  # a second, non-primary domain of alpha
PRIMARY = "http://alpha.portico.localhost:8000"
REASON = "Lost phone and codes; identity checked by a call to the number on file."


@pytest.fixture
def enforced(settings):
    settings.PORTICO_TOTP_REQUIRED_FOR_STAFF = True


@pytest.fixture
def alias(alpha):
    with schema_context("public"):
        Domain.objects.create(domain=ALIAS, tenant=alpha.tenant, is_primary=False)
    return ALIAS


def with_authenticator(user: Any) -> TOTPDevice:
    """A confirmed authenticator and ten backup codes for ``user`` (as if set up earlier)."""
    device = enrolled(user)
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.bulk_create(
        [StaticToken(device=backup, token=f"{n:016x}") for n in range(10)]
    )
    return device


@pytest.fixture
def team(alpha):
    """Company X (two-factor required: everyone has an authenticator) with an admin, an
    approver and a buyer; company Y (optional) with an admin and a buyer who have none; a
    validator with an authenticator."""
    with schema_context(alpha.schema):
        x = CompanyFactory(name="Xenon AG", two_factor_policy="required")
        y = CompanyFactory(name="Yew BV")
        people: dict[str, Any] = {
            key: MembershipFactory(
                company=company,
                role=role,
                user=UserFactory(email=f"{key}@buyer.test", full_name=name),
            )
            for key, company, role, name in (
                ("xa", x, MemberRole.COMPANY_ADMIN, "Xena Admin"),
                ("xp", x, MemberRole.APPROVER, "Xavier Approver"),
                ("xb", x, MemberRole.BUYER, "Xiu Buyer"),
                ("ya", y, MemberRole.COMPANY_ADMIN, "Yara Admin"),
                ("yb", y, MemberRole.BUYER, "Yusuf Buyer"),
            )
        }
        for key in ("xa", "xp", "xb"):  # Xenon requires it of everyone
            people[f"{key}_device"] = with_authenticator(people[key].user)
        people["val"] = staff(email="val@alpha.test", role="validator")
        people["val_device"] = with_authenticator(people["val"])
    return people


def signed_in(
    tenant: Any, email: str, device: TOTPDevice | None = None, host: str | None = None
) -> Any:
    client = Client(HTTP_HOST=host or tenant.host)
    response = password_step(client, email)
    assert response.status_code == 302, email
    if device is not None:
        assert response["Location"] == "/login/verify/"
        verified = client.post("/login/verify/", {"code": code_for(device)})
        assert verified.status_code == 302
    return client


def state(schema: str, email: str) -> dict[str, int]:
    """What a reset changes, counted: to prove that a refusal changed nothing."""
    with schema_context(schema):
        return {
            "totp": TOTPDevice.objects.filter(user__email=email).count(),
            "backup_codes": StaticToken.objects.filter(device__user__email=email).count(),
            "sessions": UserSession.objects.filter(user__email=email).count(),
            "audit": AuditEntry.objects.count(),
            "outbox": OutboxMessage.objects.count(),
        }


def _last(schema: str, action: str) -> AuditEntry:
    with schema_context(schema):
        return AuditEntry.objects.filter(action=action).latest("id")


def _reset_mail(schema: str) -> OutboxMessage:
    with schema_context(schema):
        return OutboxMessage.objects.filter(payload__template="two_factor_reset").latest("id")


def _call_reset(schema: str, actor_email: str, user_email: str, reason: str = REASON) -> int:
    with schema_context(schema):
        return totp_reset(
            actor=User.objects.get(email=actor_email),
            user=User.objects.get(email=user_email),
            reason=reason,
            portal_url=PRIMARY,
        )


# --- Done ----------------------------------------------------------------------------------------


def test_a_supplier_admin_resets_a_buyers_two_factor_sign_in(alpha, alias, team):
    buyer = signed_in(alpha, "xb@buyer.test", team["xb_device"])
    assert buyer.get("/catalogue/").status_code == 200
    admin = signed_in(alpha, "admin@alpha.test", host=alias)  # the mail link ignores it
    page_path = f"/backoffice/users/{team['xb'].user.public_id}/sessions/"
    page = admin.get(page_path).content.decode()
    assert 'data-testid="two-factor-reset"' in page
    assert "Reset two-factor sign-in of xb@buyer.test" in page

    response = admin.post(
        f"/backoffice/users/{team['xb'].user.public_id}/two-factor/reset/", {"reason": REASON}
    )

    assert (response.status_code, response["Location"]) == (302, page_path)
    after = admin.get(page_path).content.decode()
    assert (
        "Two-factor sign-in of xb@buyer.test is reset: their authenticator and backup codes no "
        "longer work, they are signed out everywhere and we e-mailed them."
    ) in after
    assert 'data-testid="two-factor-reset"' not in after
    with schema_context(alpha.schema):
        assert not TOTPDevice.objects.filter(user=team["xb"].user).exists()
        assert not StaticDevice.objects.filter(user=team["xb"].user).exists()
        assert not StaticToken.objects.filter(device__user=team["xb"].user).exists()
        assert not UserSession.objects.filter(user=team["xb"].user).exists()
    assert buyer.get("/catalogue/")["Location"] == "/login/?next=%2Fcatalogue%2F"

    entry = _last(alpha.schema, "auth.totp_reset")
    assert (entry.actor_label, entry.object_type, entry.object_id, entry.details) == (
        "admin@alpha.test",
        "sso.user",
        str(team["xb"].user.public_id),
        {"reason": REASON, "sessions_ended": 1},
    )
    ended = _last(alpha.schema, "auth.session_ended")
    assert ended.details == {"sessions": 1, "reason": "two_factor_reset"}
    assert _reset_mail(alpha.schema).payload == {
        "template": "two_factor_reset",
        "to": ["xb@buyer.test"],
        "subject": "Your two-factor sign-in was reset",
        "context": {
            "name": "Xiu Buyer",
            "email": "xb@buyer.test",
            "admin": "Alpha Supplies Admin (admin@alpha.test)",
            "required": True,
            "link": f"{PRIMARY}/login/",
        },
    }

    # Xenon requires two-factor sign-in: the buyer's next sign-in leads to the set-up.
    again = password_step(alpha.client(), "xb@buyer.test")
    assert (again.status_code, again["Location"]) == (302, "/account/two-factor/setup/")


def test_the_reset_email_is_themed_and_says_who_reset_it(alpha, team):
    _call_reset(alpha.schema, "admin@alpha.test", "xb@buyer.test")
    message = _reset_mail(alpha.schema)
    mail.outbox.clear()
    with schema_context(alpha.schema):
        assert outbox_deliver(message_id=message.pk) == "delivered"
    [sent] = mail.outbox
    assert (sent.subject, sent.to) == ("Your two-factor sign-in was reset", ["xb@buyer.test"])
    assert (
        "Alpha Supplies Admin (admin@alpha.test) reset the two-factor sign-in of xb@buyer.test "
        "on the Alpha Supplies portal."
    ) in sent.body
    assert "you will be asked to set it up again with your authenticator app" in sent.body
    assert f"{PRIMARY}/login/" in sent.body
    html = sent.alternatives[0][0]
    assert f'href="{PRIMARY}/login/"' in html and "Alpha Supplies" in html


def test_a_supplier_admin_resets_a_staff_members_two_factor_sign_in(alpha, team, enforced):
    validator = signed_in(alpha, "val@alpha.test", team["val_device"])
    assert validator.get("/backoffice/").status_code == 200
    with schema_context(alpha.schema):
        admin_device = with_authenticator(alpha.admin)
    admin = signed_in(alpha, "admin@alpha.test", admin_device)

    response = admin.post(
        f"/backoffice/users/{team['val'].public_id}/two-factor/reset/", {"reason": REASON}
    )

    assert response.status_code == 302
    after = state(alpha.schema, "val@alpha.test")
    assert (after["totp"], after["backup_codes"], after["sessions"]) == (0, 0, 0)
    assert validator.get("/backoffice/")["Location"] == "/login/?next=/backoffice/"
    entry = _last(alpha.schema, "auth.totp_reset")
    assert (entry.actor_label, entry.object_id, entry.details["reason"]) == (
        "admin@alpha.test",
        str(team["val"].public_id),
        REASON,
    )
    assert _reset_mail(alpha.schema).payload["context"]["required"] is True
    again = password_step(alpha.client(), "val@alpha.test")
    assert (again.status_code, again["Location"]) == (302, "/account/two-factor/setup/")


def test_a_company_admin_resets_a_member_of_their_own_company(alpha, team):
    buyer = signed_in(alpha, "xb@buyer.test", team["xb_device"])
    x_admin = signed_in(alpha, "xa@buyer.test", team["xa_device"])
    page_path = f"/company/team/{team['xb'].public_id}/sessions/"
    assert 'data-testid="two-factor-reset"' in x_admin.get(page_path).content.decode()

    response = x_admin.post(
        f"/company/team/{team['xb'].public_id}/two-factor/reset/", {"reason": REASON}
    )

    assert (response.status_code, response["Location"]) == (302, page_path)
    assert "Two-factor sign-in of xb@buyer.test is reset" in x_admin.get(page_path).content.decode()
    after = state(alpha.schema, "xb@buyer.test")
    assert (after["totp"], after["backup_codes"], after["sessions"]) == (0, 0, 0)
    assert buyer.get("/catalogue/").status_code == 302
    entry = _last(alpha.schema, "auth.totp_reset")
    assert (entry.actor_label, entry.object_id, entry.details) == (
        "xa@buyer.test",
        str(team["xb"].user.public_id),
        {"reason": REASON, "sessions_ended": 1},
    )
    assert _reset_mail(alpha.schema).payload["context"]["admin"] == "Xena Admin (xa@buyer.test)"


def test_the_reset_is_in_both_security_logs(alpha, team):
    _call_reset(alpha.schema, "xa@buyer.test", "xb@buyer.test")
    admin = signed_in(alpha, "admin@alpha.test")
    log = admin.get("/backoffice/security-log/", {"action": "auth.totp_reset"}).content.decode()
    assert "Two-factor sign-in reset by an administrator" in log and REASON in log
    company_log = (
        signed_in(alpha, "xa@buyer.test", team["xa_device"])
        .get("/company/security-log/")
        .content.decode()
    )
    assert "Two-factor sign-in reset by an administrator" in company_log
    assert REASON in company_log


def test_an_optional_policy_tells_the_user_they_sign_in_with_a_password(alpha, team):
    with schema_context(alpha.schema):
        with_authenticator(team["yb"].user)
    _call_reset(alpha.schema, "ya@buyer.test", "yb@buyer.test")
    assert _reset_mail(alpha.schema).payload["context"]["required"] is False
    assert password_step(alpha.client(), "yb@buyer.test")["Location"] == "/catalogue/"


# --- Refused, and nothing changes ----------------------------------------------------------------


def test_a_company_admin_of_another_company_gets_not_found(alpha, team):
    buyer = signed_in(alpha, "xb@buyer.test", team["xb_device"])
    y_admin = signed_in(alpha, "ya@buyer.test")
    before = state(alpha.schema, "xb@buyer.test")

    assert y_admin.get(f"/company/team/{team['xb'].public_id}/sessions/").status_code == 404
    response = y_admin.post(
        f"/company/team/{team['xb'].public_id}/two-factor/reset/", {"reason": REASON}
    )
    assert response.status_code == 404
    with pytest.raises(NotFound):
        _call_reset(alpha.schema, "ya@buyer.test", "xb@buyer.test")
    with pytest.raises(NotFound):  # supplier staff are nobody's company members
        _call_reset(alpha.schema, "ya@buyer.test", "val@alpha.test")

    assert state(alpha.schema, "xb@buyer.test") == before
    assert buyer.get("/catalogue/").status_code == 200


@pytest.mark.parametrize("who", ["xb", "xp"])
def test_members_who_are_not_company_admins_are_refused(alpha, team, who):
    with schema_context(alpha.schema):
        target = MembershipFactory(company=team["xa"].company, user=UserFactory(email="t@x.test"))
        with_authenticator(target.user)
    client = signed_in(alpha, f"{who}@buyer.test", team.get(f"{who}_device"))
    before = state(alpha.schema, "t@x.test")

    response = client.post(f"/company/team/{target.public_id}/two-factor/reset/", {"reason": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied) as refused:
        _call_reset(alpha.schema, f"{who}@buyer.test", "t@x.test")
    assert refused.value.message == "Only administrators can reset someone's two-factor sign-in."

    assert state(alpha.schema, "t@x.test") == before


@pytest.mark.parametrize("role", ["account_manager", "validator", "dispatcher", "finance"])
def test_staff_who_are_not_administrators_are_refused(alpha, team, role):
    email, device = "val@alpha.test", team["val_device"]
    if role != "validator":
        with schema_context(alpha.schema):
            email, device = staff(email=f"{role}@alpha.test", role=role).email, None
    client = signed_in(alpha, email, device)
    before = state(alpha.schema, "xb@buyer.test")

    response = client.post(
        f"/backoffice/users/{team['xb'].user.public_id}/two-factor/reset/", {"reason": REASON}
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied) as refused:
        _call_reset(alpha.schema, email, "xb@buyer.test")
    assert refused.value.message == "Only administrators can reset someone's two-factor sign-in."

    assert state(alpha.schema, "xb@buyer.test") == before


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_reset_without_a_reason_is_refused(alpha, team, reason):
    buyer = signed_in(alpha, "xb@buyer.test", team["xb_device"])
    admin = signed_in(alpha, "admin@alpha.test")
    before = state(alpha.schema, "xb@buyer.test")

    response = admin.post(
        f"/backoffice/users/{team['xb'].user.public_id}/two-factor/reset/", {"reason": reason}
    )
    assert response.status_code == 400
    assert (
        "Say why you are resetting it (for example how you checked who asked): the reason is "
        "kept in the security log."
    ) in response.content.decode()
    with pytest.raises(TwoFactorError) as refused:
        _call_reset(alpha.schema, "admin@alpha.test", "xb@buyer.test", reason=reason)
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason")
    assert refused.value.message == (
        "Say why you are resetting it (for example how you checked who asked): the reason is "
        "kept in the security log."
    )

    assert state(alpha.schema, "xb@buyer.test") == before
    assert buyer.get("/catalogue/").status_code == 200


def test_nobody_resets_their_own_two_factor_sign_in_here(alpha, team):
    with schema_context(alpha.schema):
        admin_device = with_authenticator(alpha.admin)
    admin = signed_in(alpha, "admin@alpha.test", admin_device)
    own_page = admin.get(f"/backoffice/users/{alpha.admin.public_id}/sessions/").content.decode()
    assert 'data-testid="two-factor-reset"' not in own_page
    before = state(alpha.schema, "admin@alpha.test")
    message = (
        "You cannot reset your own two-factor sign-in. Remove it on your Sign-in and security "
        "page with your password, or ask another administrator."
    )

    response = admin.post(
        f"/backoffice/users/{alpha.admin.public_id}/two-factor/reset/", {"reason": REASON}
    )
    assert response.status_code == 403 and message in response.content.decode()
    with pytest.raises(PermissionDenied) as refused:
        _call_reset(alpha.schema, "admin@alpha.test", "admin@alpha.test")
    assert refused.value.message == message
    with pytest.raises(PermissionDenied):
        _call_reset(alpha.schema, "xa@buyer.test", "xa@buyer.test")

    assert state(alpha.schema, "admin@alpha.test") == before
    assert admin.get("/backoffice/").status_code == 200


def test_someone_without_an_authenticator_has_nothing_to_reset(alpha, team):
    admin = signed_in(alpha, "admin@alpha.test")
    page_path = f"/backoffice/users/{team['yb'].user.public_id}/sessions/"
    assert 'data-testid="two-factor-reset"' not in admin.get(page_path).content.decode()
    before = state(alpha.schema, "yb@buyer.test")

    response = admin.post(
        f"/backoffice/users/{team['yb'].user.public_id}/two-factor/reset/", {"reason": REASON}
    )
    assert response.status_code == 400
    assert (
        "yb@buyer.test has not set up two-factor sign-in: there is nothing to reset."
        in response.content.decode()
    )
    assert state(alpha.schema, "yb@buyer.test") == before


def test_a_second_reset_finds_nothing_left_to_reset(alpha, team):
    assert _call_reset(alpha.schema, "admin@alpha.test", "xb@buyer.test") == 0
    before = state(alpha.schema, "xb@buyer.test")
    with pytest.raises(TwoFactorError) as refused:
        _call_reset(alpha.schema, "xa@buyer.test", "xb@buyer.test")
    assert refused.value.code == "not_enrolled"
    assert state(alpha.schema, "xb@buyer.test") == before
