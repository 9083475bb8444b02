"""TOTP two-factor sign-in over HTTP, with real codes computed from the device's key."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.choices import MemberRole
from conftest import TEST_PASSWORD
from sso.models import UserSession
from sso.tests.support import (
    code_for,
    code_for_secret,
    enrolled,
    let_the_wait_pass,
    password_step,
    session_cookie,
    staff,
)
from tests.factories import CompanyFactory, MembershipFactory, UserFactory


@pytest.fixture
def enforced(settings):
    settings.PORTICO_TOTP_REQUIRED_FOR_STAFF = True


def _actions_since(schema: str, last: int) -> list[tuple[str, dict]]:
    with schema_context(schema):
        return list(
            AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", "details")
        )


def _last_id(schema: str) -> int:
    with schema_context(schema):
        return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _backup_codes(html: str) -> list[str]:
    return re.findall(r'<li class="col mb-1">([a-z2-7]{5}-[a-z2-7]{5})</li>', html)


def test_staff_without_a_device_enrol_before_reaching_anything(alpha, enforced):
    with schema_context(alpha.schema):
        user = staff()
    client = alpha.client()
    client.get("/login/")
    first = session_cookie(client)

    response = password_step(client, user.email)
    assert (response.status_code, response["Location"]) == (302, "/account/two-factor/setup/")
    after_password = session_cookie(client)
    assert after_password not in ("", first)
    # Half signed in: every page and the API treat the session as anonymous.
    assert client.get("/backoffice/")["Location"] == "/login/?next=/backoffice/"
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/account/security/").status_code == 302

    page = client.get("/account/two-factor/setup/").content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    uri = re.search(r'data-otpauth-uri="([^"]+)"', page).group(1)
    assert uri.startswith("otpauth://totp/Alpha%20Supplies%3Aval%40alpha.test?secret=" + secret)
    assert "<svg" in page

    done = client.post("/account/two-factor/setup/", {"code": code_for_secret(secret)})
    assert done.status_code == 200
    codes = _backup_codes(done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert session_cookie(client) not in ("", after_password)
    assert client.get("/backoffice/").status_code == 200
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.get(user=user).confirmed is True
        assert StaticToken.objects.filter(device__user=user).count() == 10
        # Only an HMAC of each backup code is stored, never the code.
        assert not StaticToken.objects.filter(token__in=[c.replace("-", "") for c in codes])
        assert UserSession.objects.get(user=user).method == "otp"


def test_a_wrong_first_code_leaves_the_enrolment_pending(alpha):
    with schema_context(alpha.schema):
        user = staff()
    client = alpha.client()
    password_step(client, user.email)
    client.get("/account/two-factor/setup/")
    with schema_context(alpha.schema):
        device = TOTPDevice.objects.get(user=user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post("/account/two-factor/setup/", {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.get(user=user).confirmed is False
        assert not StaticToken.objects.filter(device__user=user).exists()


def test_a_set_up_secret_is_good_only_in_the_browser_that_was_shown_it(alpha):
    with schema_context(alpha.schema):
        user = staff()
    first = alpha.client()  # e.g. someone who knows the password and opened the set-up first
    password_step(first, user.email)
    shown = re.search(
        r'data-secret="([A-Z2-7]+)"', first.get("/account/two-factor/setup/").content.decode()
    ).group(1)
    assert (
        re.search(  # reloading keeps the secret in that browser
            r'data-secret="([A-Z2-7]+)"', first.get("/account/two-factor/setup/").content.decode()
        ).group(1)
        == shown
    )

    owner = alpha.client()
    password_step(owner, user.email)
    fresh = re.search(
        r'data-secret="([A-Z2-7]+)"', owner.get("/account/two-factor/setup/").content.decode()
    ).group(1)
    assert fresh != shown
    # the first browser's secret and set-up are void (whatever it opens next is a new set-up
    # again, which voids the owner's: the last browser to open the set-up holds the only one)
    stale = first.post("/account/two-factor/setup/", {"code": code_for_secret(shown)})
    assert (stale.status_code, "Start the set-up again" in stale.content.decode()) == (400, True)
    fresh = re.search(
        r'data-secret="([A-Z2-7]+)"', owner.get("/account/two-factor/setup/").content.decode()
    ).group(1)
    assert fresh != shown
    done = owner.post("/account/two-factor/setup/", {"code": code_for_secret(fresh)})
    assert done.status_code == 200 and "backup" in done.content.decode().lower()
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.get(user=user).confirmed is True


def test_sign_in_with_a_code_rotates_the_session_twice_and_is_audited(alpha):
    with schema_context(alpha.schema):
        user = staff()
        device = enrolled(user)
    last = _last_id(alpha.schema)
    client = alpha.client()
    response = password_step(client, user.email)
    assert (response.status_code, response["Location"]) == (302, "/login/verify/")
    after_password = session_cookie(client)
    assert client.get("/backoffice/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401

    verified = client.post("/login/verify/", {"code": code_for(device)})
    assert (verified.status_code, verified["Location"]) == (302, "/backoffice/")
    assert session_cookie(client) not in ("", after_password)
    assert client.get("/backoffice/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert _actions_since(alpha.schema, last) == [
        ("auth.password_verified", {"method": "password", "next_step": "otp"}),
        ("auth.login", {"method": "otp"}),
    ]


def test_a_used_code_is_refused_the_second_time(alpha):
    with schema_context(alpha.schema):
        user = staff()
        device = enrolled(user)
    code = code_for(device)
    first = alpha.client()
    password_step(first, user.email)
    assert first.post("/login/verify/", {"code": code}).status_code == 302

    last = _last_id(alpha.schema)
    second = alpha.client()
    password_step(second, user.email)
    replay = second.post("/login/verify/", {"code": code})
    assert replay.status_code == 400
    assert "already used" in replay.content.decode()
    assert second.get("/backoffice/").status_code == 302
    assert _actions_since(alpha.schema, last)[-1] == (
        "auth.login_failed",
        {"method": "otp", "reason": "replayed_code"},
    )
    # The first failure made the device wait a second; then the next step's code works.
    with schema_context(alpha.schema):
        let_the_wait_pass(TOTPDevice, user)
    assert second.post("/login/verify/", {"code": code_for(device, steps=1)}).status_code == 302


def test_a_backup_code_signs_in_once(alpha):
    with schema_context(alpha.schema):
        user = staff()
    client = alpha.client()
    password_step(client, user.email)
    page = client.get("/account/two-factor/setup/").content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    codes = _backup_codes(
        client.post(
            "/account/two-factor/setup/", {"code": code_for_secret(secret)}
        ).content.decode()
    )
    client.post("/logout/")

    first = alpha.client()
    password_step(first, user.email)
    used = first.post("/login/verify/", {"code": codes[3].upper()})
    assert used.status_code == 302
    with schema_context(alpha.schema):
        assert StaticToken.objects.filter(device__user=user).count() == 9
        assert UserSession.objects.filter(user=user, method="backup").count() == 1

    again = alpha.client()
    password_step(again, user.email)
    assert again.post("/login/verify/", {"code": codes[3]}).status_code == 400
    with schema_context(alpha.schema):
        assert StaticToken.objects.filter(device__user=user).count() == 9


def test_new_backup_codes_replace_the_old_ones(alpha):
    with schema_context(alpha.schema):
        user = staff()
    client = alpha.client()
    password_step(client, user.email)
    page = client.get("/account/two-factor/setup/").content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    old = _backup_codes(
        client.post(
            "/account/two-factor/setup/", {"code": code_for_secret(secret)}
        ).content.decode()
    )
    # new codes need the app's current code again (the set-up's step is used up: the next one)
    refused = client.post("/account/two-factor/backup-codes/", {"code": ""}, follow=True)
    assert "Enter the 6-digit code your app shows now." in refused.content.decode()
    with schema_context(alpha.schema):
        assert StaticToken.objects.filter(device__user=user).count() == 10
    new = _backup_codes(
        client.post(
            "/account/two-factor/backup-codes/", {"code": code_for_secret(secret, steps=1)}
        ).content.decode()
    )
    assert len(new) == 10 and not set(old) & set(new)

    other = alpha.client()
    password_step(other, user.email)
    assert other.post("/login/verify/", {"code": old[0]}).status_code == 400
    with schema_context(alpha.schema):
        let_the_wait_pass(StaticDevice, user)
    assert other.post("/login/verify/", {"code": new[0]}).status_code == 302


def test_removing_the_authenticator_needs_the_password(alpha):
    with schema_context(alpha.schema):
        user = staff()
        device = enrolled(user)
    client = alpha.client()
    password_step(client, user.email)
    client.post("/login/verify/", {"code": code_for(device)})
    last = _last_id(alpha.schema)

    refused = client.post(
        "/account/two-factor/remove/", {"password": "not-my-password"}, follow=True
    )
    assert "That is not your password." in refused.content.decode()
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert _actions_since(alpha.schema, last) == []

    client.post("/account/two-factor/remove/", {"password": TEST_PASSWORD})
    with schema_context(alpha.schema):
        assert not TOTPDevice.objects.filter(user=user).exists()
    assert _actions_since(alpha.schema, last) == [("auth.totp_removed", {})]
    # Without a device (and the staff policy off in this test) the password alone signs in.
    assert password_step(alpha.client(), user.email)["Location"] == "/backoffice/"


def test_a_user_without_a_password_removes_the_authenticator_with_its_current_code(alpha):
    from sso.errors import TwoFactorError
    from sso.services import twofactor

    with schema_context(alpha.schema):
        user = staff(email="sso-only@alpha.test")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        device = enrolled(user)
        with pytest.raises(TwoFactorError) as refused:
            twofactor.totp_remove(actor=user, password="")
        assert refused.value.message == "Enter the 6-digit code your app shows now."
        assert TOTPDevice.objects.filter(user=user).count() == 1

        twofactor.totp_remove(actor=user, password=code_for(device))
        assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_wait_after_wrong_codes_stops_growing_at_about_eight_minutes(alpha):
    from datetime import timedelta

    from django.utils import timezone

    with schema_context(alpha.schema):
        user = staff()
        device = enrolled(user)
        # forty wrong codes in a row: django-otp alone would make its owner wait 2^39 s
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_count=40,
            throttling_failure_timestamp=timezone.now() - timedelta(minutes=9),
        )
    client = alpha.client()
    password_step(client, user.email)
    assert client.post("/login/verify/", {"code": code_for(device)}).status_code == 302
    with schema_context(alpha.schema):
        assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 0


def test_guessing_is_throttled_per_device_even_for_the_right_code(alpha):
    with schema_context(alpha.schema):
        user = staff()
        device = enrolled(user)
    right = code_for(device)
    wrong = next(
        c
        for c in ("123456", "654321", "111111")
        if c not in {right, code_for(device, -1), code_for(device, 1)}
    )
    client = alpha.client()
    password_step(client, user.email)
    for _ in range(3):
        assert client.post("/login/verify/", {"code": wrong}).status_code == 400
        assert client.post("/login/verify/", {"code": wrong}).status_code == 400  # throttled
        with schema_context(alpha.schema):
            device.refresh_from_db()
            last_failure = device.throttling_failure_timestamp
            let_the_wait_pass(TOTPDevice, user)
    with schema_context(alpha.schema):  # the third failure has just happened: wait 4 s
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=last_failure)

    refused = client.post("/login/verify/", {"code": right})
    assert refused.status_code == 400
    assert "Too many wrong codes. Wait" in refused.content.decode()
    assert client.get("/backoffice/").status_code == 302
    with schema_context(alpha.schema):
        device.refresh_from_db()
        assert device.throttling_failure_count == 3
        # The wait (4 s after the third failure) passes:
        device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=5)
        device.save(update_fields=["throttling_failure_timestamp"])
    assert client.post("/login/verify/", {"code": right}).status_code == 302


def test_guessing_is_limited_per_account_with_a_clear_wait(alpha, settings):
    settings.PORTICO_RATE_LIMITS = {**settings.PORTICO_RATE_LIMITS, "otp:account": (3, 900)}
    with schema_context(alpha.schema):
        user = staff()
        device = enrolled(user)
    client = alpha.client()
    password_step(client, user.email)
    for _ in range(3):
        with schema_context(alpha.schema):  # no device throttle in the way: only the account's
            TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
        client.post("/login/verify/", {"code": "000001"})
    limited = client.post("/login/verify/", {"code": code_for(device)})
    assert limited.status_code == 429
    assert "Too many wrong codes. Try again in 15 minutes." in limited.content.decode()


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        ("required", "/account/two-factor/setup/"),
        ("optional", "/catalogue/"),
        ("off", "/catalogue/"),
    ],
)
def test_a_company_policy_decides_for_its_members(alpha, policy, expected):
    with schema_context(alpha.schema):
        member = MembershipFactory(
            company=CompanyFactory(two_factor_policy=policy),
            user=UserFactory(email="pol@buyer.test"),
        )
    client = alpha.client()
    response = password_step(client, member.user.email)
    assert response["Location"] == expected
    setup = client.get("/account/two-factor/setup/")
    if policy == "off":
        assert setup.status_code == 302
        with schema_context(alpha.schema):
            assert not TOTPDevice.objects.filter(user=member.user).exists()
    else:
        assert setup.status_code == 200


def test_a_required_company_policy_is_editable_in_the_back_office_and_audited(alpha):
    with schema_context(alpha.schema):
        company = CompanyFactory(name="Policy AG")
    client = alpha.client()
    password_step(client, "admin@alpha.test")
    data = {
        "name": "Policy AG",
        "billing_line1": company.billing_line1,
        "billing_postcode": company.billing_postcode,
        "billing_city": company.billing_city,
        "billing_country": company.billing_country,
        "payment_terms": "prepayment",
        "credit_limit": "0",
        "status": "active",
        "two_factor_policy": "required",
    }
    response = client.post(f"/backoffice/companies/{company.public_id}/edit/", data)
    assert response.status_code == 302
    with schema_context(alpha.schema):
        company.refresh_from_db()
        assert company.two_factor_policy == "required"
        entry = AuditEntry.objects.filter(action="company.updated").latest("id")
    assert entry.changes["two_factor_policy"] == ["optional", "required"]


def test_operators_must_enrol_on_the_control_plane(control_client, enforced, operator):
    response = password_step(control_client, "ops@portico.test")
    assert response["Location"] == "/account/two-factor/setup/"
    assert control_client.get("/console/").status_code == 302
    assert control_client.get("/account/two-factor/setup/").status_code == 200


def test_a_buyer_member_of_a_required_company_is_asked_at_next_sign_in(alpha):
    with schema_context(alpha.schema):
        company = CompanyFactory()
        member = MembershipFactory(
            company=company, role=MemberRole.BUYER, user=UserFactory(email="next@buyer.test")
        )
    assert password_step(alpha.client(), member.user.email)["Location"] == "/catalogue/"
    with schema_context(alpha.schema):
        company.two_factor_policy = "required"
        company.save(update_fields=["two_factor_policy"])
    assert password_step(alpha.client(), member.user.email)["Location"] == (
        "/account/two-factor/setup/"
    )


def test_the_sign_up_hand_over_also_leads_staff_through_enrolment(alpha, enforced):
    from sso.services import handoff_create

    with schema_context(alpha.schema):
        user = staff(email="fresh@alpha.test", role="administrator")
        token = handoff_create(user=user)
    client = alpha.client()
    response = client.get(f"/auth/handoff/{token}/")
    assert (response.status_code, response["Location"]) == (302, "/account/two-factor/setup/")
    assert client.get("/backoffice/").status_code == 302
    page = client.get("/account/two-factor/setup/").content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    done = client.post("/account/two-factor/setup/", {"code": code_for_secret(secret)})
    assert 'href="/backoffice/?welcome=1"' in done.content.decode()
    assert client.get("/backoffice/?welcome=1").status_code == 200
    with schema_context(alpha.schema):
        assert UserSession.objects.get(user=user).method == "otp"


def test_an_invitee_of_a_required_company_sets_up_two_factor_before_the_catalogue(alpha):
    from commerce.customers.services import invitation_create

    with schema_context(alpha.schema):
        company = CompanyFactory(two_factor_policy="required")
        _, token = invitation_create(
            actor=alpha.admin,
            company=company,
            email="invitee@buyer.test",
            role="buyer",
            portal_url="http://alpha.portico.localhost:8000",
        )
    client = alpha.client()
    response = client.post(
        f"/invitations/{token}/",
        {"full_name": "Ina Vitee", "password": "Brand-New-Pass-2026"},
    )
    assert (response.status_code, response["Location"]) == (302, "/account/two-factor/setup/")
    assert client.get("/catalogue/").status_code == 302
