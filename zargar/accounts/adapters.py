"""allauth adapter."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Signup and the shop it creates run inside the request's transaction
    (`TenancyMiddleware`), so a failure leaves neither a user nor a shop behind."""
