"""Who may impersonate whom (django-hijack's `HIJACK_PERMISSION_CHECK`)."""

from __future__ import annotations


def operators_may_hijack(*, hijacker, hijacked) -> bool:
    """True only for a platform operator who passed 2FA in this session, impersonating an active
    user who is not an operator (operators never impersonate each other)."""
    if hijacked is None or not hijacked.is_active or hijacked.is_superuser or hijacked.is_staff:
        return False
    if not getattr(hijacker, "is_operator", False):
        return False
    is_verified = getattr(hijacker, "is_verified", None)  # set by django-otp's OTPMiddleware
    return bool(is_verified and is_verified())
