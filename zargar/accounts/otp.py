"""Two-factor authentication: TOTP devices (django-otp) and recovery codes (static tokens).

A user has at most one TOTP device named `TOTP_DEVICE_NAME` and one static device named
`RECOVERY_DEVICE_NAME` holding `RECOVERY_CODE_COUNT` single-use recovery codes. Enrolment
creates an *unconfirmed* TOTP device; confirming it with a correct code turns two-factor on.
All writes are atomic; the functions take the user explicitly.
"""

from __future__ import annotations

import re
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10

_TOTP_CODE = re.compile(r"^\d{6,8}$")


class TwoFactorError(Exception):
    """A two-factor operation that is not allowed; `str(error)` is a user-facing message."""


def has_confirmed_device(user) -> bool:
    """True when `user` has turned two-factor on (a confirmed TOTP or recovery device)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or StaticDevice.objects.filter(user=user, confirmed=True).exists()
    )


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True).first()


def remaining_recovery_codes(user) -> int:
    """How many unused recovery codes `user` still has (0 without a recovery device)."""
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_DEVICE_NAME, device__confirmed=True).count()


@transaction.atomic
def start_enrolment(user) -> TOTPDevice:
    """The unconfirmed TOTP device `user` is enrolling, created with a fresh random key when
    there is none. Raises `TwoFactorError` when a confirmed device already exists."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TwoFactorError(_("Two-factor authentication is already on."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The device key as base32 (what authenticator apps accept for manual entry), in groups of 4."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """An inline SVG (a `<svg>` element, white background) of the device's otpauth:// URL."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8)
    return image.to_string(encoding="unicode")


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _throttle_message(device) -> str | None:
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return str(_("Too many wrong codes. Wait a few seconds and try again."))
    return str((data or {}).get("error_message") or _("Verification is not allowed right now."))


def confirm_enrolment(device: TOTPDevice, code: str) -> list[str]:
    """Confirm `device` with a current TOTP `code` (6 digits) and return the new recovery codes.

    Raises `TwoFactorError` for a wrong or throttled code; then nothing is confirmed (the failed
    attempt itself is recorded for throttling, so this check is not rolled back with it).
    """
    code = _normalise(code)
    message = _throttle_message(device)
    if message:
        raise TwoFactorError(message)
    if not _TOTP_CODE.match(code) or not device.verify_token(code):
        raise TwoFactorError(_("That code is not correct. Check the time on your phone and try again."))
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user, confirmed=False).exclude(pk=device.pk).delete()
        return regenerate_recovery_codes(device.user)


@transaction.atomic
def regenerate_recovery_codes(user) -> list[str]:
    """Replace all of `user`'s recovery codes with `RECOVERY_CODE_COUNT` new ones; return them
    (plain text, shown once: they are single-use)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=token) for token in codes)
    return codes


def verify_code(user, code: str):
    """Check a TOTP code or a recovery code of `user`; return the device that accepted it.

    A 6–8 digit code is checked against the TOTP device, anything else against the recovery
    codes (a used recovery code is deleted). Raises `TwoFactorError` for a wrong or throttled
    code. The caller passes the device to `django_otp.login(request, device)`.
    """
    code = _normalise(code)
    if not code:
        raise TwoFactorError(_("Enter a code."))
    device = confirmed_totp_device(user) if _TOTP_CODE.match(code) else recovery_device(user)
    if device is None:
        raise TwoFactorError(_("That code is not correct."))
    message = _throttle_message(device)
    if message:
        raise TwoFactorError(message)
    if not device.verify_token(code):
        raise TwoFactorError(_("That code is not correct."))
    return device


@transaction.atomic
def disable_two_factor(user) -> None:
    """Remove all of `user`'s devices and recovery codes. Raises `TwoFactorError` for a platform
    operator, for whom two-factor is mandatory."""
    if user.is_operator:
        raise TwoFactorError(_("Platform operators must keep two-factor authentication on."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def second_factor_passed(request, user) -> bool:
    """True when this session has passed a second factor: the user verified a device here
    (django-otp), or it is an impersonation session (django-hijack), which only an operator who
    passed their own second factor can start."""
    session = getattr(request, "session", None)
    if session is not None and session.get("hijack_history"):
        return True
    return bool(getattr(user, "is_verified", None) and user.is_verified())
