"""The registry of notification types.

A notification type says what happened (`key`, e.g. `"billing.usage_threshold"`), how it reads
(`title` and `body`: lazy gettext strings with `%(name)s` placeholders filled from the
notification's `params`), who gets it by default (`min_role`: members whose role is at least
this) and on which channels by default (`default_channels`, a subset of `CHANNELS`).

The core registers its types in `zargar.notifications.types`. A module declares its own by
registering a hook at `ExtensionPoint.NOTIFICATION_TYPES` (`fn() -> list[NotificationType]`)
in its `ready()`; `all_types()` collects them on first use. `register()` also works directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from zargar.tenancy.roles import Role

IN_APP, EMAIL, SMS = "in_app", "email", "sms"
#: Delivery channels, in the order the preferences page shows them.
CHANNELS: tuple[str, ...] = (IN_APP, EMAIL, SMS)


@dataclass(frozen=True)
class NotificationType:
    """One kind of notification.

    `prepare(params) -> dict` (optional) turns stored params into display values; it runs in
    the reader's language (e.g. a metric code into its translated label).
    """

    key: str
    label: str
    title: str
    body: str
    min_role: Role = Role.OWNER
    default_channels: frozenset[str] = frozenset({IN_APP, EMAIL})
    channels: frozenset[str] = frozenset(CHANNELS)
    description: str = ""
    prepare: Callable[[dict], dict] | None = field(default=None, compare=False)

    def __post_init__(self):
        unknown = (set(self.channels) | set(self.default_channels)) - set(CHANNELS)
        if unknown:
            raise ValueError(f"notification type {self.key!r}: unknown channels {sorted(unknown)}")
        if not set(self.default_channels) <= set(self.channels):
            raise ValueError(f"notification type {self.key!r}: default channels must be among its channels")

    def render(self, params: dict) -> tuple[str, str]:
        """(title, body) in the active language. Missing params render as an empty string;
        numbers (and amounts such as "550.00 USD") are written with the language's digits and
        separators (`zargar_format.format_number`: Persian digits in Persian)."""
        values = self.prepare(dict(params)) if self.prepare else dict(params)
        values = _Defaulting({key: _localised(value) for key, value in values.items()})
        return str(self.title) % values, str(self.body) % values


#: A number written as text (no leading zeros: "0912…" is a code, not a number), optionally with a currency.
_AMOUNT = re.compile(r"(-?(?:0|[1-9]\d*)(?:\.\d+)?)((?:\u00a0| )[A-Z]{3})?")


def _localised(value):
    """A number, or a numeric string with an optional currency code, in the active language's
    digits; anything else unchanged."""
    from zargar.panel.templatetags.zargar_format import format_number

    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return format_number(value)
    if isinstance(value, str):
        match = _AMOUNT.fullmatch(value.strip())
        if match:
            number, currency = match.groups()
            places = len(number.split(".")[1]) if "." in number else 0
            return format_number(number, places) + (("\u00a0" + currency.strip()) if currency else "")
    return value


class _Defaulting(dict):
    def __missing__(self, key):
        return ""


_types: dict[str, NotificationType] = {}
_hooks_loaded = False


class UnknownNotificationType(KeyError):
    """`notify()` was called with a key nobody registered."""


def register(ntype: NotificationType) -> NotificationType:
    """Add a type. Raises `ValueError` when another type already uses its key."""
    existing = _types.get(ntype.key)
    if existing is not None and existing != ntype:
        raise ValueError(f"notification type {ntype.key!r} is registered twice")
    _types[ntype.key] = ntype
    return ntype


def _load_module_types() -> None:
    global _hooks_loaded
    if _hooks_loaded:
        return
    _hooks_loaded = True
    from zargar.contract.extension_points import ExtensionPoint
    from zargar.contract.hooks import get_hooks

    for hook in get_hooks(ExtensionPoint.NOTIFICATION_TYPES):
        for ntype in hook():
            register(ntype)


def all_types() -> list[NotificationType]:
    """Every registered type, core first, in registration order."""
    _load_module_types()
    return list(_types.values())


def get_type(key: str) -> NotificationType:
    """The type registered under `key`; raises `UnknownNotificationType`."""
    _load_module_types()
    try:
        return _types[key]
    except KeyError:
        raise UnknownNotificationType(key) from None
