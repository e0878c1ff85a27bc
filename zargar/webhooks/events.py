"""Event types a shop's webhook endpoints can subscribe to.

The core declares its own here; a module adds `(key, label)` pairs through a hook at
`ExtensionPoint.WEBHOOK_EVENT_TYPES` (`fn() -> list[tuple[str, str]]`), or calls `register`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

TEST_EVENT = "webhook.test"

_types: dict[str, str] = {}
_hooks_loaded = False


def register(key: str, label) -> None:
    _types.setdefault(key, label)


for _key, _label in (
    ("sale.completed", _("Sale completed")),
    ("sale.voided", _("Sale voided")),
    ("sale.returned", _("Sale returned (partly or fully)")),
    ("item.created", _("Inventory item created")),
    ("customer.created", _("Customer created")),
    ("subscription.updated", _("Subscription updated (plan, status, cycle)")),
):
    register(_key, _label)


def event_types() -> dict[str, str]:
    """`{key: label}` of every subscribable event type (the test event is not one)."""
    global _hooks_loaded
    if not _hooks_loaded:
        _hooks_loaded = True
        from zargar.contract.extension_points import ExtensionPoint
        from zargar.contract.hooks import get_hooks

        for hook in get_hooks(ExtensionPoint.WEBHOOK_EVENT_TYPES):
            for key, label in hook():
                register(key, label)
    return dict(_types)
