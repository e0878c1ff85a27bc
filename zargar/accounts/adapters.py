"""allauth adapter."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    """Signup and the shop it creates run inside the request's transaction
    (`TenancyMiddleware`), so a failure leaves neither a user nor a shop behind.

    Lockout (`ACCOUNT_RATE_LIMITS["login_failed"]`: per IP and per account) answers with the
    clearer message below instead of allauth's generic one.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "Too many failed sign-in attempts: sign-in is locked for a while for this account or "
            "network. Try again in 15 minutes, or reset your password."
        ),
    }
