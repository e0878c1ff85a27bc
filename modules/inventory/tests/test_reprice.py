"""The `REPRICE_ITEMS` hook: tagged serialized pieces of a purity are re-priced from the board
rate through `modules.rates.pricing.price_piece`; other pieces keep their price."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from modules.inventory.hooks import reprice_tagged_items
from modules.rates import actions as rate_actions
from modules.rates.tasks import reprice_after_rate_change
from zargar.contract import ExtensionPoint, hooks
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context

from .conftest import piece

pytestmark = pytest.mark.django_db


def test_hook_is_registered_for_the_inventory_module():
    assert reprice_tagged_items in hooks.get_hooks(ExtensionPoint.REPRICE_ITEMS, enabled_modules={"inventory", "rates"})
    assert reprice_tagged_items not in hooks.get_hooks(ExtensionPoint.REPRICE_ITEMS, enabled_modules={"rates"})


def test_tagged_pieces_of_the_purity_are_repriced_from_the_current_rate(in_shop):
    stones = [{"stone_type": "ruby", "count": 2, "carat_weight": D("0.5"), "value": D("50.00")}]
    tagged = piece(in_shop, "T-1", net_weight=D("10.000"), gross_weight=D("10.500"), priced_from_rate=True,
                   making_mode="percent", making_value=D("10"), wastage_percent=D("2"), stones=stones, price=D("1"))
    per_gram = piece(in_shop, "T-2", net_weight=D("4.000"), priced_from_rate=True, making_mode="per_gram", making_value=D("5"), price=D("1"))
    untagged = piece(in_shop, "U-1", price=D("999.00"))
    other_karat = piece(in_shop, "K-22", karat=22, priced_from_rate=True, price=D("7.00"))
    sold = piece(in_shop, "S-1", priced_from_rate=True, price=D("5.00"), quantity=0)
    assert reprice_tagged_items(in_shop, "gold_750") == 0  # no rate yet
    rate_actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("90"), sell=D("100"))

    assert reprice_after_rate_change(in_shop.pk, "gold_750") == 2  # through the rates task and the hook registry
    for item in (tagged, per_gram, untagged, other_karat, sold):
        item.refresh_from_db()
    # metal 10 g × 100 = 1000; wastage 2 % = 20; making 10 % of metal = 100; stones 50
    assert tagged.price == D("1170.00")
    # metal 4 g × 100 = 400; making 4 g × 5 = 20
    assert per_gram.price == D("420.00")
    assert (untagged.price, other_karat.price, sold.price) == (D("999.00"), D("7.00"), D("5.00"))

    rate_actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("100"), sell=D("110"))
    assert reprice_tagged_items(in_shop, "gold_750") == 2
    tagged.refresh_from_db()
    assert tagged.price == D("1282.00")  # metal 1100 + wastage 22 + making 110 + stones 50
    assert reprice_tagged_items(in_shop, "silver_925") == 0


def test_reprice_skips_shops_without_the_inventory_module(shop):
    tenant, _ = shop
    tagged = piece(tenant, "T-1", priced_from_rate=True, price=D("1"))
    set_module_enabled(tenant, "inventory", False, cascade=True)
    with tenant_context(tenant):
        rate_actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D("90"), sell=D("100"))
    assert reprice_after_rate_change(tenant.pk, "gold_750") == 0
    with tenant_context(tenant):
        tagged.refresh_from_db()
    assert tagged.price == D("1.00")
