"""Helpers of the identity tests: real TOTP codes from a device's key, signed-in clients."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD
from sso.services import user_create


def code_for(device: Any, steps: int = 0) -> str:
    """The code ``device``'s app shows now (``steps`` 30-second steps later or earlier)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, 0)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def code_for_secret(secret: str, steps: int = 0) -> str:
    """The code for a base32 secret as shown on the set-up page."""
    import base64

    padded = secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8)
    totp = TOTP(base64.b32decode(padded), 30, 0, 6, 0)
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def staff(email: str = "val@alpha.test", role: str = "validator") -> Any:
    return user_create(
        actor=None,
        email=email,
        full_name="Val Idator",
        password=TEST_PASSWORD,
        kind="staff",
        staff_role=role,
    )


def enrolled(user: Any) -> TOTPDevice:
    """A confirmed authenticator for ``user`` (as if set up earlier)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def let_the_wait_pass(device_model: Any, user: Any) -> None:
    """Move the device's last failure back past its throttle delay (time passing, without
    sleeping): the next guess is evaluated again."""
    from datetime import timedelta

    from django.utils import timezone

    device_model.objects.filter(user=user).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )


def session_cookie(client: Client) -> str:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie is not None else ""


def password_step(client: Client, email: str, password: str = TEST_PASSWORD) -> Any:
    return client.post("/login/", {"email": email, "password": password})
