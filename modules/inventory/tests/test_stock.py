"""Stock movements: append-only, derived on-hand equals the cached one, the stock actions and
their refusals (nothing written), default locations, tags and barcode look-up."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modules.inventory import actions, selectors
from modules.inventory.models import AppendOnlyError, Branch, Item, Location, Lot, StockMovement
from tests.factories import make_shop
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context

from .conftest import lot_item, piece

pytestmark = pytest.mark.django_db


def _count(model, tenant, **filters):
    with tenant_context(tenant):
        return model.objects.filter(tenant=tenant, **filters).count()


# --- Append-only ----------------------------------------------------------------------------------


def test_movements_refuse_change_and_delete_through_the_orm(in_shop):
    item = piece(in_shop)
    movement = StockMovement.objects.get(item=item)
    movement.quantity = 5
    with pytest.raises(AppendOnlyError):
        movement.save()
    with pytest.raises(AppendOnlyError):
        movement.delete()
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=7)
    with pytest.raises(AppendOnlyError):
        StockMovement.objects.filter(pk=movement.pk).delete()
    assert StockMovement.objects.get(pk=movement.pk).quantity == 1


def test_movements_refuse_change_and_delete_in_raw_sql_as_the_runtime_role(shop):
    tenant, people = shop
    item = piece(tenant)
    with tenant_context(tenant):
        movement_id = StockMovement.objects.get(item=item).pk
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == ("zargar_app",)
            for sql in (
                "UPDATE inventory_stockmovement SET quantity = 9 WHERE id = %s",
                "UPDATE inventory_stockmovement SET net_weight = 0 WHERE id = %s",
                "DELETE FROM inventory_stockmovement WHERE id = %s",
            ):
                with pytest.raises(DatabaseError, match="history"):
                    with transaction.atomic():
                        cursor.execute(sql, [movement_id])
            # The one change allowed: the actor set to NULL (when that user is deleted).
            cursor.execute("UPDATE inventory_stockmovement SET actor_id = NULL WHERE id = %s", [movement_id])
            with pytest.raises(DatabaseError, match="history"):
                with transaction.atomic():
                    cursor.execute("UPDATE inventory_stockmovement SET actor_id = %s WHERE id = %s", [people["owner"].pk, movement_id])
            cursor.execute("SELECT quantity, net_weight FROM inventory_stockmovement WHERE id = %s", [movement_id])
            assert cursor.fetchone() == (1, D("4.500"))


# --- Derived on-hand ---------------------------------------------------------------------------------


OPS = st.lists(
    st.tuples(st.sampled_from(["receive", "sell", "return", "adjust", "transfer"]), st.integers(min_value=-4, max_value=6)),
    min_size=1, max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS)
def test_on_hand_is_received_minus_sold_plus_returned_plus_adjustments(shop, ops):
    tenant, people = shop
    with tenant_context(tenant):
        sid = transaction.savepoint()
        try:
            _run_random_sequence(tenant, people["member"], ops)
        finally:
            transaction.savepoint_rollback(sid)


def _run_random_sequence(tenant, actor, ops):
    item = lot_item(tenant, "HYP", quantity=0)
    other = actions.save_location(tenant, branch=actions.default_location(tenant).branch, name="Safe", kind="safe")
    expected = {"receipt": 0, "sale": 0, "return": 0, "adjustment": 0}
    lot = None
    for op, n in ops:
        try:
            if op == "receive" and n > 0:
                mv = actions.receive_stock(tenant, item=item, quantity=n, lot=lot, actor=actor, document="PO")
                lot = mv.lot
                expected["receipt"] += n
            elif op == "sell" and n > 0:
                actions.take_stock_for_sale(tenant, lines=[(item.pk, None, n)], actor=actor, document="sale")
                expected["sale"] += n
            elif op == "return" and n > 0 and lot is not None:
                actions.return_stock(tenant, item=item, lot=lot, quantity=n, actor=actor, document="return")
                expected["return"] += n
            elif op == "adjust" and n != 0 and lot is not None:
                actions.adjust_stock(tenant, item=item, lot=lot, quantity=n, reason="count", actor=actor)
                expected["adjustment"] += n
            elif op == "transfer" and n > 0 and lot is not None:
                lot.refresh_from_db()
                if lot.location_id != other.pk:
                    actions.transfer_stock(tenant, item=item, lot=lot, quantity=n, from_location=lot.location, to_location=other, actor=actor)
        except actions.OutOfStockError as exc:
            assert exc.code == "out_of_stock" and "HYP" in str(exc.messages[0])
        item.refresh_from_db()
        assert item.quantity >= 0
        assert all(q >= 0 for q in Lot.objects.filter(item=item).values_list("quantity", flat=True))
    item.refresh_from_db()
    assert item.quantity == expected["receipt"] - expected["sale"] + expected["return"] + expected["adjustment"]
    assert item.quantity == sum(Lot.objects.filter(item=item).values_list("quantity", flat=True))
    assert selectors.audit_stock(tenant) == []


def test_audit_finds_a_tampered_cache_and_the_command_exits_non_zero(shop):
    tenant, _ = shop
    chain = lot_item(tenant, "AUD", quantity=4)
    piece(tenant, "OK-1")
    out = io.StringIO()
    call_command("audit_stock", tenant=tenant.slug, stdout=out)
    assert "agrees" in out.getvalue()
    with tenant_context(tenant):
        Item.objects.filter(pk=chain.pk).update(quantity=6)
        Lot.objects.filter(item=chain).update(net_weight=D("1.000"))
        mismatches = selectors.audit_stock(tenant)
    assert [(m.what, m.field, m.cached, m.derived) for m in mismatches] == [("item", "quantity", 6, 4), ("lot", "net_weight", D("1.000"), D("7.600"))]
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("audit_stock", tenant=tenant.slug, stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    with tenant_context(tenant):
        lot = Lot.objects.get(item=chain)
    assert err.getvalue().strip().splitlines() == [
        f"item AUD (id {chain.pk}): quantity cached 6, movements say 4",
        f"lot AUD/{lot.lot_number} (id {lot.pk}): net_weight cached 1.000, movements say 7.600",
    ]


# --- Actions -------------------------------------------------------------------------------------


def test_sale_of_a_piece_and_a_lot_fifo_with_weights_pro_rata(in_shop):
    ring = piece(in_shop, "R-1")
    chain = lot_item(in_shop, "C-1", quantity=3, gross_weight=D("1.001"), net_weight=D("1.000"))
    second = actions.receive_stock(in_shop, item=chain, quantity=2, document="PO-2").lot  # a later lot
    moves = actions.take_stock_for_sale(in_shop, lines=[(ring.pk, None, 1), (chain.pk, None, 4)], document=("tenancy.tenant", in_shop.pk))
    assert [(m.kind, m.item_id, m.quantity) for m in moves] == [("sale", ring.pk, -1), ("sale", chain.pk, -3), ("sale", chain.pk, -1)]
    assert moves[1].lot.pk != second.pk and moves[2].lot_id == second.pk  # oldest lot first
    assert moves[0].net_weight == D("-4.500") and moves[1].gross_weight == D("-3.003")  # the whole first lot
    assert moves[2].net_weight == D("-1.000")  # 1 of 2 units, pro rata
    assert moves[0].document_type.model == "tenant" and moves[0].document_id == str(in_shop.pk)
    ring.refresh_from_db(), chain.refresh_from_db(), second.refresh_from_db()
    assert (ring.quantity, chain.quantity, second.quantity, second.net_weight) == (0, 1, 1, D("1.000"))
    assert selectors.audit_stock(in_shop) == []


def test_taking_more_than_on_hand_writes_nothing_and_names_the_sku(in_shop):
    ring = piece(in_shop, "R-1")
    chain = lot_item(in_shop, "C-1", quantity=2)
    before = StockMovement.objects.count()
    with pytest.raises(actions.OutOfStockError) as raised:
        actions.take_stock_for_sale(in_shop, lines=[(ring.pk, None, 1), (chain.pk, None, 3)])
    assert raised.value.sku == "C-1" and (raised.value.requested, raised.value.available) == (3, 2)
    assert "C-1" in raised.value.messages[0]
    with pytest.raises(actions.OutOfStockError):  # the same piece twice in one sale
        actions.take_stock_for_sale(in_shop, lines=[(ring.pk, None, 1), (ring.pk, None, 1)])
    assert StockMovement.objects.count() == before
    ring.refresh_from_db(), chain.refresh_from_db()
    assert (ring.quantity, chain.quantity) == (1, 2)


@pytest.mark.parametrize(
    "call, code",
    [
        (lambda t, p, c: actions.receive_stock(t, item=c, quantity=0), "bad_quantity"),
        (lambda t, p, c: actions.receive_stock(t, item=c, quantity=-2), "bad_quantity"),
        (lambda t, p, c: actions.receive_stock(t, item=c, quantity=1, gross_weight=D("-1"), net_weight=D("-1")), "bad_weight"),
        (lambda t, p, c: actions.receive_stock(t, item=c, quantity=1, gross_weight=D("1"), net_weight=D("2")), "bad_weight"),
        (lambda t, p, c: actions.receive_stock(t, item=c, quantity=1, unit_cost=D("-5")), "bad_cost"),
        (lambda t, p, c: actions.receive_stock(t, item=p, quantity=1), "in_stock"),
        (lambda t, p, c: actions.adjust_stock(t, item=c, lot=c.lots.first(), quantity=-1, reason="  "), "reason_required"),
        (lambda t, p, c: actions.adjust_stock(t, item=c, lot=c.lots.first(), quantity=-11, reason="lost"), "out_of_stock"),
        (lambda t, p, c: actions.adjust_stock(t, item=p, quantity=1, reason="found"), "bad_quantity"),
        (lambda t, p, c: actions.take_stock_for_sale(t, lines=[(c.pk, None, 0)]), "bad_quantity"),
        (lambda t, p, c: actions.take_stock_for_sale(t, lines=[(987654, None, 1)]), "unknown_item"),
        (lambda t, p, c: actions.transfer_stock(t, item=p, from_location=p.location, to_location=p.location), "same_location"),
        (lambda t, p, c: actions.return_stock(t, item=p, quantity=1), "in_stock"),
    ],
)
def test_bad_stock_input_is_refused_and_nothing_is_written(in_shop, call, code):
    ring = piece(in_shop, "R-1")
    chain = lot_item(in_shop, "C-1", quantity=10)
    before = (StockMovement.objects.count(), Lot.objects.count(), list(Item.objects.order_by("pk").values_list("quantity", flat=True)))
    with pytest.raises(actions.StockError) as raised:
        call(in_shop, ring, chain)
    assert raised.value.code == code and raised.value.messages[0]
    after = (StockMovement.objects.count(), Lot.objects.count(), list(Item.objects.order_by("pk").values_list("quantity", flat=True)))
    assert after == before


def test_transfer_keeps_totals(in_shop):
    chain = lot_item(in_shop, "C-1", quantity=5, gross_weight=D("2.001"), net_weight=D("1.999"))
    ring = piece(in_shop, "R-1")
    main = actions.default_location(in_shop)
    safe = actions.save_location(in_shop, branch=main.branch, name="Safe", kind="safe")
    lot = chain.lots.get()
    totals = lambda: (sum(Lot.objects.values_list("quantity", flat=True)), sum(Lot.objects.values_list("gross_weight", flat=True)), sum(Lot.objects.values_list("net_weight", flat=True)))  # noqa: E731
    before = totals()
    out, into = actions.transfer_stock(in_shop, item=chain, lot=lot, quantity=2, from_location=main, to_location=safe)
    assert (out.kind, out.quantity, into.kind, into.quantity, out.batch) == ("transfer_out", -2, "transfer_in", 2, into.batch)
    assert out.net_weight == -into.net_weight == D("-3.998")  # 1.999 g × 5 units, 2 of 5 leave
    assert totals() == before
    moved = Lot.objects.get(item=chain, location=safe)
    assert (moved.lot_number, moved.quantity) == (lot.lot_number, 2)
    actions.transfer_stock(in_shop, item=chain, lot=lot, quantity=3, from_location=main, to_location=safe)
    assert totals() == before and Lot.objects.get(pk=lot.pk).quantity == 0 and Lot.objects.get(pk=moved.pk).quantity == 5
    # A serialized piece moves with its location; its stock stays 1.
    actions.transfer_stock(in_shop, item=ring, from_location=main, to_location=safe)
    ring.refresh_from_db()
    assert (ring.quantity, ring.location_id) == (1, safe.pk)
    assert [row["location"].pk for row in selectors.stock_by_location(in_shop, ring)] == [safe.pk]
    with pytest.raises(actions.StockError, match="not at"):
        actions.transfer_stock(in_shop, item=ring, from_location=main, to_location=safe)
    assert selectors.audit_stock(in_shop) == []


def test_return_and_adjustments(in_shop):
    ring = piece(in_shop, "R-1")
    actions.take_stock_for_sale(in_shop, lines=[(ring.pk, None, 1)])
    back = actions.return_stock(in_shop, item=ring, quantity=1, document="Return 7")
    ring.refresh_from_db()
    assert (back.kind, back.quantity, ring.quantity, back.document) == ("return", 1, 1, "Return 7")
    gone = actions.adjust_stock(in_shop, item=ring, quantity=-1, reason="damaged")
    assert (gone.kind, gone.quantity, gone.reason, gone.net_weight) == ("adjustment", -1, "damaged", D("-4.500"))
    chain = lot_item(in_shop, "C-1", quantity=4)
    lot = chain.lots.get()
    actions.adjust_stock(in_shop, item=chain, lot=lot, quantity=-4, reason="melted")
    lot.refresh_from_db()
    assert (lot.quantity, lot.gross_weight, lot.net_weight) == (0, D("0.000"), D("0.000"))
    assert selectors.audit_stock(in_shop) == []


# --- Items, tags, locations, look-up -----------------------------------------------------------------


def test_new_shop_gets_main_branch_and_location_and_old_shops_get_it_lazily(db):
    tenant, _ = make_shop("Fresh")
    with tenant_context(tenant):
        (location,) = Location.objects.all()
        assert (location.name, location.is_default, location.branch.code, location.branch.is_default) == ("Main", True, "MAIN", True)
        Location.objects.all().delete()
        Branch.objects.all().delete()
        lazy = actions.default_location(tenant)
        assert lazy.is_default and actions.default_location(tenant).pk == lazy.pk
        assert Location.objects.count() == 1 and Branch.objects.count() == 1


def test_tags_are_generated_and_unique_per_shop_and_huid_unique(in_shop):
    first, second = piece(in_shop, "R-1"), piece(in_shop, "R-2", tag="MY-TAG", huid="AB12CD")
    assert first.tag == "ZG000001" and second.tag == "MY-TAG"
    assert piece(in_shop, "R-3").tag == "ZG000002"
    with pytest.raises(actions.ValidationError) as raised:
        piece(in_shop, "R-4", tag="MY-TAG")
    assert "tag" in raised.value.message_dict
    with pytest.raises(actions.ValidationError) as raised:
        piece(in_shop, "R-5", huid="AB12CD")
    assert "huid" in raised.value.message_dict
    with pytest.raises(actions.ValidationError) as raised:
        piece(in_shop, "R-6", quantity=2, tracking="serialized")
    assert "quantity" in raised.value.message_dict
    assert not Item.objects.filter(sku__in=["R-4", "R-5", "R-6"]).exists()
    other, _ = make_shop("Other")
    assert piece(other, "R-1", tag="MY-TAG").tag == "MY-TAG"  # another shop may use it


def test_find_by_barcode_by_tag_sku_and_huid_within_the_shop(in_shop):
    ring = piece(in_shop, "R-1", huid="HUID99")
    chain = lot_item(in_shop, "C-1", quantity=2)
    assert selectors.find_by_barcode(in_shop, ring.tag).pk == ring.pk
    assert selectors.find_by_barcode(in_shop, " zg000001 ").pk == ring.pk
    assert selectors.find_by_barcode(in_shop, "C-1").pk == chain.pk
    assert selectors.find_by_barcode(in_shop, "HUID99").pk == ring.pk
    with pytest.raises(Item.DoesNotExist):
        selectors.find_by_barcode(in_shop, "nothing")
    other, _ = make_shop("Other")
    with tenant_context(other):
        with pytest.raises(Item.DoesNotExist):
            selectors.find_by_barcode(other, ring.tag)


def test_item_with_history_cannot_be_deleted(in_shop):
    ring = piece(in_shop, "R-1")
    with pytest.raises(actions.ValidationError, match="stock history"):
        actions.delete_item(ring)
    empty = piece(in_shop, "R-2", quantity=0)
    actions.delete_item(empty)
    assert list(Item.objects.values_list("sku", flat=True)) == ["R-1"]


def test_editing_cannot_change_stock(in_shop):
    ring = piece(in_shop, "R-1")
    with pytest.raises(actions.ValidationError) as raised:
        actions.update_item(ring, quantity=0)
    assert "quantity" in raised.value.message_dict
    actions.update_item(ring, name="Gold ring", stones=[{"stone_type": "diamond", "count": 3, "carat_weight": D("0.150"), "value": D("90.00")}])
    ring.refresh_from_db()
    assert ring.name == "Gold ring" and ring.quantity == 1
    assert [(s.stone_type, s.count, s.carat_weight) for s in ring.stones.all()] == [("diamond", 3, D("0.150"))]


# --- Accounting --------------------------------------------------------------------------------------


def test_receipt_with_cost_posts_gold_stock_against_supplier_payables(shop):
    from modules.accounting.models import SourceDocumentLink
    from django_ledger.models import TransactionModel

    tenant, people = shop
    chain = lot_item(tenant, "C-1", quantity=0)
    with tenant_context(tenant):
        movement = actions.receive_stock(tenant, item=chain, quantity=4, unit_cost=D("12.50"), actor=people["member"], document="Invoice 9")
        link = SourceDocumentLink.objects.get(object_id=str(movement.pk))
        txs = sorted((t.account.code, t.tx_type, t.amount) for t in TransactionModel.objects.filter(journal_entry=link.journal_entry).select_related("account"))
    assert txs == [("1300", "debit", D("50.00")), ("2010", "credit", D("50.00"))]


def test_receipt_without_accounting_posts_nothing_and_still_works(shop):
    from modules.accounting.models import SourceDocumentLink

    tenant, _ = shop
    set_module_enabled(tenant, "accounting", False, cascade=True)
    chain = lot_item(tenant, "C-1", quantity=0)
    with tenant_context(tenant):
        movement = actions.receive_stock(tenant, item=chain, quantity=2, unit_cost=D("10"))
        assert movement.unit_cost == D("10.00")
        assert not SourceDocumentLink.objects.filter(object_id=str(movement.pk)).exists()
