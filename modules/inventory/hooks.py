"""Hooks this module registers at the core's extension points."""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import transaction

logger = logging.getLogger(__name__)


def create_default_location(tenant) -> None:
    """`TENANT_CREATED`: give the new shop its default branch "Main" and location "Main".
    Runs inside `create_tenant`'s transaction and tenant context."""
    from .actions import ensure_default_location

    ensure_default_location(tenant)


def reprice_tagged_items(tenant, purity_code: str) -> int:
    """`REPRICE_ITEMS` (`modules.rates`): re-price the shop's tagged pieces of `purity_code`
    from the purity's current board *sell* rate.

    Tagged pieces are serialized items in stock with `priced_from_rate` set and the karat of
    that purity. Each is priced with `modules.rates.pricing.price_piece` (its net weight,
    making-charge mode and value, wastage %, its stones as fixed lines; profit %, tax rule and
    VAT % from the shop's rates settings — the same price a quote would give) and `Item.price`
    is set to the total, rounded to the currency's minor unit. Returns how many pieces were
    priced (0 when rates is not installed, the purity is not gold or has no rate yet). A piece
    that cannot be priced (e.g. a currency without a minor-unit rule) is logged and skipped.
    """
    if not apps.is_installed("modules.rates"):
        return 0
    from modules.rates import selectors as rate_selectors
    from modules.rates.pricing import ExtraLine, PricingError, price_piece
    from modules.rates.units import UnitError, purity_info

    from zargar.tenancy.context import tenant_context

    from .models import Item, Tracking

    try:
        info = purity_info(purity_code)
    except UnitError:
        return 0
    if info.karat is None:
        return 0
    with tenant_context(tenant) as tenant, transaction.atomic():
        rate = rate_selectors.current_rate(tenant, purity_code)
        if rate is None:
            return 0
        conf = rate_selectors.settings_of(tenant)
        pieces = (
            Item.objects.select_for_update(of=("self",))
            .filter(tenant=tenant, tracking=Tracking.SERIALIZED, priced_from_rate=True, karat=info.karat, quantity__gt=0)
            .prefetch_related("stones")
            .order_by("pk")
        )
        priced = 0
        for item in pieces:
            try:
                breakdown = price_piece(
                    net_weight=item.net_weight,
                    fineness=info.fineness,
                    rate_per_gram=rate.sell_per_gram,
                    currency=rate.currency,
                    making_mode=item.making_mode,
                    making_value=item.making_value,
                    wastage_percent=item.wastage_percent,
                    profit_percent=conf.get("profit_percent", "0"),
                    lines=[ExtraLine(f"{s.count} × {s.stone_type}", s.value) for s in item.stones.all()],
                    tax_rule=conf.get("tax_rule", "none"),
                    vat_percent=conf.get("vat_percent", "0"),
                )
            except PricingError as exc:
                logger.warning("inventory: shop %s: piece %s not re-priced: %s", tenant.pk, item.sku, exc)
                continue
            priced += 1
            if breakdown.total != item.price:
                item.price = breakdown.total
                item.save(update_fields=["price", "updated_at"])
        return priced
