"""Named extension points: modules hook into the core through these constants, never free strings.

A hook is registered in a module's `ModuleConfig.ready()` with
`self.register_hook(ExtensionPoint.DASHBOARD_CARDS, fn)` and is only called for tenants where
that module is enabled (see `zargar.contract.hooks`).
"""

from enum import StrEnum


class ExtensionPoint(StrEnum):
    #: `fn(request) -> list[DashboardCard]`: cards on the tenant dashboard.
    DASHBOARD_CARDS = "dashboard_cards"
    #: `fn(request, item) -> list[str]`: extra panels (safe HTML) on an inventory item's page.
    ITEM_DETAIL_PANELS = "item_detail_panels"
    #: `fn(request, customer) -> list[str]`: extra panels (safe HTML) on a customer's page.
    CUSTOMER_DETAIL_PANELS = "customer_detail_panels"
    #: `fn(tenant) -> None`: called once when a shop is created (seed per-tenant data).
    TENANT_CREATED = "tenant_created"
    #: `fn() -> RateProvider`: a gold-rate source offered by a module (see `modules.rates.providers`).
    RATE_PROVIDERS = "rate_providers"
    #: `fn(tenant, purity_code) -> int`: reprice the shop's tagged pieces of that purity after its rate changed; returns how many.
    REPRICE_ITEMS = "reprice_items"
    #: `fn() -> list[zargar.notifications.registry.NotificationType]`: notification types a module sends.
    NOTIFICATION_TYPES = "notification_types"
    #: `fn() -> list[tuple[str, str]]`: outbound webhook event types a module publishes (`(key, label)`).
    WEBHOOK_EVENT_TYPES = "webhook_event_types"
