"""Payment gateways behind one interface.

`PaymentGateway` is what `actions` calls; `get_gateway()` returns the one named by
`settings.BILLING_GATEWAY` ("mock" by default, or "stripe": `stripe_gateway.StripeGateway`,
which also offers hosted Checkout and the customer portal — see `HostedBilling`).

`MockGateway` needs no network. Its behaviour per shop (`MockGateway.set_behaviour(tenant,
mode)`) is one of `succeed` (default), `decline` (a card decline: `ChargeResult(succeeded=False,
code="card_declined")`) or `error` (a gateway failure: `GatewayError`, which `actions` records
as a failed attempt too, so it is retried on the dunning schedule).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    """The gateway could not be reached or failed (not a decline)."""


@dataclass(frozen=True)
class ChargeResult:
    succeeded: bool
    charge_id: str = ""
    code: str = ""
    message: str = ""


@runtime_checkable
class PaymentGateway(Protocol):
    name: str

    def create_customer(self, tenant, *, email: str) -> str:
        """Register the shop; returns the gateway's customer id."""

    def charge(self, invoice) -> ChargeResult:
        """Charge `invoice.total_minor` (minor units of `invoice.currency`). Raises `GatewayError`."""

    def refund(self, invoice, amount_minor: int | None = None) -> ChargeResult:
        """Refund a paid invoice (all of it when `amount_minor` is None)."""


class MockGateway:
    name = "mock"
    behaviours: dict[int, str] = {}
    MODES = ("succeed", "decline", "error")

    @classmethod
    def set_behaviour(cls, tenant, mode: str) -> None:
        if mode not in cls.MODES:
            raise ValueError(mode)
        cls.behaviours[tenant.pk] = mode

    @classmethod
    def reset(cls) -> None:
        cls.behaviours.clear()

    def create_customer(self, tenant, *, email: str) -> str:
        return f"cus_mock_{tenant.pk}"

    def charge(self, invoice) -> ChargeResult:
        mode = self.behaviours.get(invoice.tenant_id, "succeed")
        if mode == "error":
            raise GatewayError("mock gateway unavailable")
        if mode == "decline":
            return ChargeResult(False, code="card_declined", message="Your card was declined.")
        return ChargeResult(True, charge_id=f"ch_mock_{secrets.token_hex(8)}")

    def refund(self, invoice, amount_minor: int | None = None) -> ChargeResult:
        return ChargeResult(True, charge_id=f"re_mock_{secrets.token_hex(8)}")


@runtime_checkable
class HostedBilling(Protocol):
    """A gateway whose own hosted pages take the shop's card and run its subscription."""

    def checkout_url(self, tenant, version, cycle: str, *, email: str, success_url: str, cancel_url: str) -> str:
        """The URL of a hosted page where the owner subscribes to `version` billed per `cycle`."""

    def portal_url(self, tenant, *, return_url: str) -> str:
        """The URL of the hosted page where the owner manages cards, invoices and cancellation."""


GATEWAYS = {"mock": "zargar.billing.gateways.MockGateway", "stripe": "zargar.billing.stripe_gateway.StripeGateway"}


def get_gateway() -> PaymentGateway:
    name = getattr(settings, "BILLING_GATEWAY", "mock")
    return import_string(GATEWAYS.get(name, name))()
