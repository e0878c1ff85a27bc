"""TOTP devices (django-otp) and recovery codes (static tokens)."""

from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def has_confirmed_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or StaticDevice.objects.filter(user=user, confirmed=True).exists()
