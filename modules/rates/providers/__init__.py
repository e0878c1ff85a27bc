"""Rate providers: where a shop's board rates can come from besides staff entry.

A provider is any object with the `RateProvider` shape. Modules offer providers by registering
a factory at `ExtensionPoint.RATE_PROVIDERS` (`fn() -> RateProvider`) in their
`ModuleConfig.ready()`; the rates module ships one, `http_feed` (see `http_feed.py`). A shop
picks one with `provider.key` in its rates settings (`ModuleActivation.configuration`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Iterable, Protocol, runtime_checkable

from zargar.contract import ExtensionPoint
from zargar.contract import hooks


class ProviderError(Exception):
    """A fetch failed or its payload is unusable; the message says what and where (one line).
    Nothing is recorded when a provider raises it."""


@dataclass(frozen=True)
class ProviderRate:
    """One rate read from a provider: purity code, buy and sell per `unit`, and the provider's
    timestamp if it gave one (else the fetch time is used)."""

    purity: str
    buy: Decimal
    sell: Decimal
    unit: str
    effective_at: datetime | None = None


@runtime_checkable
class RateProvider(Protocol):
    """A source of board rates.

    `key` is stable (stored in settings and on each rate as `provider_key`), `label` is shown to
    staff. `fetch(config)` receives the shop's `provider` settings dict and returns the rates,
    or raises `ProviderError` — it must validate everything it returns (known purities, positive
    Decimals, buy ≤ sell) so that a bad payload writes nothing.
    """

    key: str
    label: str

    def fetch(self, config: dict) -> list[ProviderRate]: ...


def available_providers(enabled_modules: Iterable[str] | None = None) -> dict[str, RateProvider]:
    """Providers registered at `RATE_PROVIDERS`, by key (of `enabled_modules` if given)."""
    found: dict[str, RateProvider] = {}
    for factory in hooks.get_hooks(ExtensionPoint.RATE_PROVIDERS, enabled_modules=enabled_modules):
        provider = factory()
        if isinstance(provider, RateProvider):
            found.setdefault(provider.key, provider)
    return found


def get_provider(key: str, enabled_modules: Iterable[str] | None = None) -> RateProvider:
    """The provider `key`. Raises `ProviderError` when no enabled module offers it."""
    providers = available_providers(enabled_modules)
    try:
        return providers[key]
    except KeyError as exc:
        raise ProviderError(f"no rate provider {key!r} (available: {', '.join(sorted(providers)) or 'none'})") from exc
