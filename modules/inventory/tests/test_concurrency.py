"""50 buyers race for the last unit of one piece: exactly one sale goes through, stock never
goes below zero. Real threads, each with its own database connection (as the runtime role)."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection

from modules.inventory import actions, selectors
from modules.inventory.models import Item, StockMovement
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

BUYERS = 50


def _race(tenant, lines_of):
    barrier = threading.Barrier(BUYERS)
    results: list[str] = []
    lock = threading.Lock()

    def buyer(n):
        try:
            barrier.wait(timeout=30)
            try:
                actions.take_stock_for_sale(tenant, lines=lines_of(n), document=f"Sale {n}")
                outcome = "sold"
            except actions.OutOfStockError:
                outcome = "out_of_stock"
            except Exception as exc:  # noqa: BLE001 - reported in the assertion below
                outcome = f"error: {exc!r}"
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(BUYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_of_the_last_piece_exactly_one_wins():
    tenant, _ = make_shop("Race Gold")
    with tenant_context(tenant):
        ring = actions.create_item(tenant, sku="LAST-1", name="Last ring", karat=18, gross_weight=D("5"), net_weight=D("4.5"), price=D("300"), quantity=1)
    results = _race(tenant, lambda n: [(ring.pk, None, 1)])
    assert len(results) == BUYERS
    assert results.count("sold") == 1, sorted(set(results))
    assert results.count("out_of_stock") == BUYERS - 1
    with tenant_context(tenant):
        assert Item.objects.get(pk=ring.pk).quantity == 0
        assert list(StockMovement.objects.filter(item=ring).order_by("pk").values_list("kind", "quantity")) == [("receipt", 1), ("sale", -1)]
        assert selectors.audit_stock(tenant) == []


@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_of_a_lot_never_oversell():
    tenant, _ = make_shop("Race Lots")
    with tenant_context(tenant):
        chain = actions.create_item(tenant, sku="LOT-1", name="Chain", karat=21, gross_weight=D("2"), net_weight=D("1.9"), price=D("100"), quantity=7, tracking="lot")
    results = _race(tenant, lambda n: [(chain.pk, None, 1 + n % 2)])  # 1 or 2 units each
    sold_units = sum(1 + n % 2 for n in range(BUYERS))  # what was asked in total
    assert "sold" in results and not [r for r in results if r.startswith("error")]
    with tenant_context(tenant):
        chain.refresh_from_db()
        taken = -sum(StockMovement.objects.filter(item=chain, kind="sale").values_list("quantity", flat=True))
        assert 0 <= chain.quantity <= 1 and taken == 7 - chain.quantity and taken < sold_units
        assert chain.lots.get().quantity == chain.quantity
        assert selectors.audit_stock(tenant) == []
