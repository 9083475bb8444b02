"""Two-factor sign-in with TOTP (django-otp): enrolment, backup codes, removal, reset, and the
check of a code at sign-in (the policy and the reads are in ``sso.selectors``).

- A code is verified by django-otp's ``TOTPDevice.verify_token`` with the device row locked
  (``select_for_update``): it accepts the current 30-second step and one step either side
  (``tolerance = 1``) and only steps after ``last_t``, which it saves. Two requests carrying the
  same code therefore queue on the row lock and the second one finds ``last_t`` moved: one
  success, however many are sent at once.
- Wrong guesses are throttled per device by django-otp (the n-th consecutive failure makes the
  device refuse every code, right or wrong, for 2^(n-1) seconds) and per account and IP by
  ``sso.ratelimit``.
- Backup codes are django-otp ``StaticToken`` rows of the user's ``StaticDevice``; each row holds
  an HMAC of a code under ``SECRET_KEY`` (16 hex digits), never the code, and is deleted when
  used. Ten codes are made at enrolment and on request; they are shown once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import AuditAction
from audit.services import audit_record
from core import context
from outbox.services import outbox_enqueue
from sso import ratelimit
from sso.errors import TwoFactorError
from sso.policies import require_two_factor_resetter
from sso.selectors import OFF, REQUIRED, confirmed_device, policy_for
from sso.services.sessions import user_sessions_end_all

BACKUP_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"

# django-otp doubles a device's wait after each consecutive wrong code, without end: someone
# who knows the password could push its owner's wait to days. The wait stops growing at
# 2^(MAX_THROTTLE_STEPS - 1) seconds (512 s, under the 15-minute OTP rate-limit window, which
# bounds guessing on its own).
MAX_THROTTLE_STEPS = 10


def _verify_is_allowed(device: Any) -> tuple[bool, dict[str, Any] | None]:
    """django-otp's throttle check with the wait capped (``MAX_THROTTLE_STEPS``)."""
    device.throttling_failure_count = min(device.throttling_failure_count, MAX_THROTTLE_STEPS)
    allowed, info = device.verify_is_allowed()
    return bool(allowed), info


# --- Enrolment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the set-up page shows: the secret in base32 and the otpauth URI (and its QR)."""

    device: TOTPDevice
    secret: str
    uri: str

    @property
    def secret_groups(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    def qr_svg(self) -> str:
        import qrcode
        import qrcode.image.svg

        image = qrcode.make(self.uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buffer = io.BytesIO()
        image.save(buffer)
        svg = buffer.getvalue().decode()
        return svg[svg.index("<svg") :]  # without the XML declaration, to inline it


def _otpauth_uri(device: TOTPDevice, secret: str, issuer: str) -> str:
    issuer = issuer.replace(":", "")
    label = quote(f"{issuer}:{device.user.email}")
    params = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30}
    )
    return f"otpauth://totp/{label}?{params}"


def _enrolment(device: TOTPDevice, issuer: str) -> Enrolment:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return Enrolment(device=device, secret=secret, uri=_otpauth_uri(device, secret, issuer))


def totp_enrolment_start(*, user: Any, issuer: str, device_id: int | None = None) -> Enrolment:
    """The user's pending (unconfirmed) authenticator, made if there is none. Its secret stays
    the same only for the set-up that showed it (``device_id``, kept in that browser's
    session): a set-up opened anywhere else gets a new secret, so a secret once shown to one
    session is worthless to another. Refused when the user already has one or their policy
    is off."""
    if policy_for(user) == OFF:
        raise TwoFactorError(
            "two_factor_off", "Two-factor sign-in is not offered for your company's accounts."
        )
    with transaction.atomic():
        if confirmed_device(user) is not None:
            raise TwoFactorError(
                "already_enrolled",
                "Two-factor sign-in is already set up. Remove it first to use another app.",
            )
        pending = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=False)
        device = pending.filter(pk=device_id).first() if device_id else None
        if device is None:  # a set-up shown elsewhere is void: its secret goes with its row
            pending.delete()
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    device.user = user
    return _enrolment(device, issuer)


def _code_digest(code: str) -> str:
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    key = f"portico.backup-code|{settings.SECRET_KEY}".encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()[:16]


def _new_backup_codes(user: Any) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Backup codes", "confirmed": True}
    )
    static.token_set.all().delete()
    codes = []
    for _ in range(BACKUP_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(7)).decode().lower()[:10]  # 50 random bits
        codes.append(f"{raw[:5]}-{raw[5:]}")
    StaticToken.objects.bulk_create(
        [StaticToken(device=static, token=_code_digest(code)) for code in codes]
    )
    return codes


def totp_enrolment_confirm(*, user: Any, code: str, device_id: int | None) -> list[str]:
    """Confirm the pending authenticator with a first code from it; returns ten new backup
    codes (shown once). A wrong code leaves the enrolment pending (and counts as a guess)."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user_id=user.pk, confirmed=False, pk=device_id)
            .first()
        )
        if device is None:
            raise TwoFactorError(
                "no_enrolment", "Start the set-up again: there is no authenticator to confirm."
            )
        allowed, info = _verify_is_allowed(device)
        verified = allowed and device.verify_token(_digits(code))
        codes: list[str] = []
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user_id=user.pk).exclude(pk=device.pk).delete()
            codes = _new_backup_codes(user)
            audit_record(action=AuditAction.TOTP_ENROLLED, actor=user, obj=user)
    if not verified:
        raise _wrong_code(allowed, info)
    return codes


def _require_current_code(user: Any, code: str) -> None:
    """Re-authentication by the authenticator itself: a current TOTP code (not a backup code),
    checked and used up like a sign-in code (locked, single use, throttled, rate-limited)."""
    if not is_totp_code(code):
        raise TwoFactorError(
            "code_required", "Enter the 6-digit code your app shows now.", field="code"
        )
    result = second_factor_check(user=user, code=code)
    if result.error is not None:
        raise result.error


def backup_codes_regenerate(*, actor: Any, code: str) -> list[str]:
    """Ten new backup codes for the signed-in user, who proves again they hold the
    authenticator with a current code; the old codes stop working."""
    if confirmed_device(actor) is None:
        raise TwoFactorError(
            "not_enrolled", "Set up two-factor sign-in first; backup codes come with it."
        )
    _require_current_code(actor, code)
    with transaction.atomic():
        codes = _new_backup_codes(actor)
        audit_record(action=AuditAction.BACKUP_CODES_REGENERATED, actor=actor, obj=actor)
    return codes


def totp_remove(*, actor: Any, password: str) -> None:
    """Remove the signed-in user's authenticator and backup codes, after checking their
    password again (a wrong password counts against the sign-in limits); a user without a
    password (signed in through SSO) gives a current code from the app in its place."""
    if not actor.has_usable_password():  # signs in through SSO: the app's code instead
        _require_current_code(actor, password.strip())
    else:
        found = ratelimit.buckets("login", account=actor.email, ip=context.current().ip)
        ratelimit.check(found, "password attempts")
        if not actor.check_password(password):
            ratelimit.hit(found)
            raise TwoFactorError("wrong_password", "That is not your password.", field="password")
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user_id=actor.pk).delete()
        StaticDevice.objects.filter(user_id=actor.pk).delete()
        if removed:
            audit_record(action=AuditAction.TOTP_REMOVED, actor=actor, obj=actor)


RESET_REASON_MAX = 500
REASON_REQUIRED = (
    "Say why you are resetting it (for example how you checked who asked): the reason is kept "
    "in the security log."
)


def _reset_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise TwoFactorError("reason_required", REASON_REQUIRED, field="reason")
    if len(reason) > RESET_REASON_MAX:
        raise TwoFactorError(
            "reason_too_long",
            f"Keep the reason under {RESET_REASON_MAX} characters.",
            field="reason",
        )
    return reason


def totp_reset(*, actor: Any, user: Any, reason: str, portal_url: str) -> int:
    """An administrator resets ``user``'s two-factor sign-in, for someone who lost both their
    authenticator and their backup codes (``policies.require_two_factor_resetter``: supplier
    administrators for anyone of the portal, company admins for their own members, nobody for
    themselves). In one transaction: the authenticator(s) and backup codes are deleted, every
    session of ``user`` ends, the reset is audited (``auth.totp_reset``, with the reason) and
    ``user`` is e-mailed (through the outbox) a sign-in link on ``portal_url``, the portal's
    primary address. Returns how many sessions ended. Refused when ``user`` has no
    authenticator (also when another administrator reset it a moment earlier)."""
    require_two_factor_resetter(actor, user)
    reason = _reset_reason(reason)
    with transaction.atomic():
        devices = list(TOTPDevice.objects.select_for_update().filter(user_id=user.pk))
        if not any(device.confirmed for device in devices):
            raise TwoFactorError(
                "not_enrolled",
                f"{user.email} has not set up two-factor sign-in: there is nothing to reset.",
            )
        TOTPDevice.objects.filter(pk__in=[device.pk for device in devices]).delete()
        StaticDevice.objects.filter(user_id=user.pk).delete()
        ended = user_sessions_end_all(actor=actor, user=user, reason="two_factor_reset")
        audit_record(
            action=AuditAction.TOTP_RESET,
            actor=actor,
            obj=user,
            details={"reason": reason, "sessions_ended": ended},
        )
        admin = f"{actor.full_name} ({actor.email})" if actor.full_name else str(actor.email)
        outbox_enqueue(
            kind="email",
            payload={
                "template": "two_factor_reset",
                "to": [user.email],
                "subject": "Your two-factor sign-in was reset",
                "context": {
                    "name": user.full_name,
                    "email": user.email,
                    "admin": admin,
                    "required": policy_for(user) == REQUIRED,
                    "link": f"{portal_url.rstrip('/')}/login/",
                },
            },
        )
    return ended


# --- The second step of a sign-in --------------------------------------------------------------


def _digits(code: str) -> str:
    return code.strip().replace(" ", "")


def is_totp_code(code: str) -> bool:
    digits = _digits(code)
    return len(digits) == 6 and digits.isdigit()


def _wrong_code(allowed: bool, info: dict[str, Any] | None) -> TwoFactorError:
    if not allowed and info and info.get("locked_until"):
        wait = max(1, int(info["locked_until"].timestamp() - time.time()) + 1)
        return TwoFactorError(
            "throttled",
            f"Too many wrong codes. Wait {wait} second{'s' if wait != 1 else ''} and try again "
            "with a new code.",
            field="code",
        )
    return TwoFactorError(
        "wrong_code",
        "That code is not right, or was already used. Enter the current code from your app, "
        "or one of your backup codes.",
        field="code",
    )


def _replayed(device: TOTPDevice, code: str) -> bool:
    """Whether ``code`` is a right code of a step already used (for the audit's reason)."""
    try:
        token = int(code)
    except ValueError:
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return bool(totp.verify(token, device.tolerance))


@dataclass(frozen=True)
class SecondFactor:
    """The outcome of a code check: ``method`` is ``otp`` or ``backup``; ``reason`` the
    category of a refusal (``wrong_code``, ``replayed_code``, ``throttled``), else empty."""

    method: str
    device: Any
    error: TwoFactorError | None = None
    reason: str = ""


def _check_totp(user: Any, code: str) -> SecondFactor:
    device = TOTPDevice.objects.select_for_update().filter(user_id=user.pk, confirmed=True).first()
    if device is None:
        return SecondFactor("otp", None, _wrong_code(True, None), "no_device")
    allowed, info = _verify_is_allowed(device)
    if allowed and device.verify_token(_digits(code)):
        return SecondFactor("otp", device)
    reason = "throttled" if not allowed else "wrong_code"
    if allowed and _replayed(device, _digits(code)):
        reason = "replayed_code"
    return SecondFactor("otp", device, _wrong_code(allowed, info), reason)


def _check_backup(user: Any, code: str) -> SecondFactor:
    device = StaticDevice.objects.select_for_update().filter(user_id=user.pk).first()
    if device is None:
        return SecondFactor("backup", None, _wrong_code(True, None), "no_device")
    allowed, info = _verify_is_allowed(device)
    if allowed and device.verify_token(_code_digest(code)):
        return SecondFactor("backup", device)
    return SecondFactor(
        "backup", device, _wrong_code(allowed, info), "throttled" if not allowed else "wrong_code"
    )


def second_factor_check(*, user: Any, code: str) -> SecondFactor:
    """Check a TOTP code (6 digits) or a backup code for ``user``, with the device row locked;
    the device's throttle state and ``last_t`` commit whatever the outcome. Refusals are counted
    against the account's and IP's OTP limits (``RateLimited`` when used up)."""
    found = ratelimit.buckets("otp", account=user.email, ip=context.current().ip)
    ratelimit.check(found, "wrong codes")
    with transaction.atomic():
        result = _check_totp(user, code) if is_totp_code(code) else _check_backup(user, code)
    if result.error is not None and result.reason != "throttled":
        ratelimit.hit(found)
    return result
