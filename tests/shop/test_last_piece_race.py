"""Issue 3: 50 sessions try to buy the last unit of one piece through `complete_sale` at once.
Exactly one sale is completed, stock never goes below zero, exactly one journal entry (the sale's)
is posted, and the 49 others get the `out_of_stock` refusal with nothing written. Real threads,
each with its own database connection as the runtime role, released together by a barrier."""

from __future__ import annotations

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django_ledger.models import JournalEntryModel

from modules.accounting.selectors import books_of
from modules.inventory.models import Item, StockMovement
from modules.inventory.selectors import audit_stock
from modules.pos import actions
from modules.pos.models import Payment, Sale, SaleLine
from modules.pos.tests.helpers import make_pos_shop, make_sellable_piece
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db(transaction=True)

BUYERS = 50


def test_fifty_sessions_buy_the_last_piece_through_complete_sale_exactly_one_wins():
    shop = make_pos_shop("Last Piece Gold")
    t = shop.tenant
    ring = make_sellable_piece(shop, "LAST-1")  # one piece, 550.00 (see modules/pos/tests)
    with tenant_context(t):
        entity = books_of(t).entity
        entries_before = JournalEntryModel.objects.for_entity(entity).count()  # the opening receipt
    barrier = threading.Barrier(BUYERS)
    results: list[tuple[str, object]] = []
    lock = threading.Lock()

    def buyer(n: int) -> None:
        try:
            barrier.wait(timeout=60)
            try:
                sale = actions.complete_sale(
                    t, cashier=shop.member, idempotency_key=f"race-{n}", lines=[{"item": ring.pk}],
                    payments=[("cash", D("300.00")), ("card", D("250.00"))],
                )
                outcome = ("sold", sale.pk)
            except actions.SaleError as exc:
                outcome = (exc.code, exc.text)
            except Exception as exc:  # noqa: BLE001 - reported by the assertions below
                outcome = ("error", repr(exc))
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads)

    codes = [code for code, _ in results]
    assert len(results) == BUYERS
    assert codes.count("sold") == 1, sorted(set(map(str, results)))
    assert codes.count("out_of_stock") == BUYERS - 1, [r for r in results if r[0] not in ("sold", "out_of_stock")]
    assert all("LAST-1" in text for code, text in results if code == "out_of_stock")
    (winner,) = [pk for code, pk in results if code == "sold"]

    with tenant_context(t):
        assert Item.objects.get(pk=ring.pk).quantity == 0
        assert list(StockMovement.objects.filter(item=ring).order_by("pk").values_list("kind", "quantity")) == [("receipt", 1), ("sale", -1)]
        assert audit_stock(t) == []
        # Only the winner's rows exist: the refused sales rolled back whole (no draft, no number).
        assert list(Sale.objects.filter(tenant=t).values_list("pk", "number", "status")) == [(winner, "S-000001", "completed")]
        assert SaleLine.objects.filter(tenant=t).count() == 1 and Payment.objects.filter(tenant=t).count() == 2
        assert JournalEntryModel.objects.for_entity(entity).count() == entries_before + 1
        sale_entry = JournalEntryModel.objects.for_entity(entity).filter(zargar_source__content_type__app_label="pos", zargar_source__content_type__model="sale", zargar_source__object_id=str(winner))
        assert sale_entry.count() == 1
