"""Inventory panel pages: list filters and columns, item detail, stock forms, lots, movements,
branches and locations (admin), labels; roles and cross-shop 404s."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from modules.inventory import actions
from modules.inventory.models import Item, Location, StockMovement
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

from .conftest import lot_item, piece

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_member(client, shop):
    client.force_login(shop[1]["member"])
    return client


def test_list_shows_tag_tracking_location_and_filters(shop, as_member):
    tenant, _ = shop
    ring = piece(tenant, "R-1")
    lot_item(tenant, "C-1", quantity=4)
    body = as_member.get("/app/inventory/").content.decode()
    assert ring.tag in body and "Serialized piece" in body and "Lot (quantity)" in body and 'id="location-filter"' in body
    lots_only = as_member.get("/app/inventory/", {"tracking": "lot"}).content.decode()
    assert "C-1" in lots_only and "R-1" not in lots_only
    safe = actions.save_location(tenant, branch=actions.default_location(tenant).branch, name="Safe", kind="safe")
    actions.transfer_stock(tenant, item=ring, from_location=ring.location_id, to_location=safe)
    at_safe = as_member.get("/app/inventory/", {"location": safe.pk}).content.decode()
    assert "R-1" in at_safe and "C-1" not in at_safe


def test_create_with_stones_then_detail_shows_movements_and_labels(shop, as_member):
    tenant, _ = shop
    response = as_member.post("/app/inventory/new/", {
        "sku": "E-1", "name": "Emerald ring", "karat": "18", "tracking": "", "gross_weight": "4.000", "net_weight": "3.500",
        "quantity": "1", "price": "900", "making_mode": "percent", "making_value": "8", "wastage_percent": "1",
        "stones-TOTAL_FORMS": "1", "stones-INITIAL_FORMS": "0", "stones-MIN_NUM_FORMS": "0", "stones-MAX_NUM_FORMS": "30",
        "stones-0-stone_type": "emerald", "stones-0-count": "1", "stones-0-carat_weight": "0.700", "stones-0-value": "350",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    with tenant_context(tenant):
        item = Item.objects.get(sku="E-1")
    detail = as_member.get(f"/app/inventory/{item.pk}/").content.decode()
    assert "emerald" in detail and "ZG000001" in detail and "Opening stock" in detail and "Receipt" in detail
    assert f"/app/inventory/{item.pk}/label/" in detail
    label = as_member.get(f"/app/inventory/{item.pk}/label/")
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
    sheet = as_member.get("/app/inventory/labels/", {"ids": str(item.pk)})
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF-")


def test_receive_adjust_transfer_forms(shop, as_member):
    tenant, _ = shop
    chain = lot_item(tenant, "C-1", quantity=2)
    main = actions.default_location(tenant)
    safe = actions.save_location(tenant, branch=main.branch, name="Safe", kind="safe")
    assert as_member.get(f"/app/inventory/{chain.pk}/receive/").status_code == 200
    response = as_member.post(f"/app/inventory/{chain.pk}/receive/", {"quantity": "3", "lot_number": "B-7", "unit_cost": "", "document": "PO 5"})
    assert response.status_code == 302
    bad = as_member.post(f"/app/inventory/{chain.pk}/receive/", {"quantity": "0"})
    assert bad.status_code == 400 and "greater than or equal to 1" in bad.content.decode()
    with tenant_context(tenant):
        new_lot = chain.lots.get(lot_number="B-7")
    no_reason = as_member.post(f"/app/inventory/{chain.pk}/adjust/", {"quantity": "-1", "lot": new_lot.pk, "reason": ""})
    assert no_reason.status_code == 400
    too_many = as_member.post(f"/app/inventory/{chain.pk}/adjust/", {"quantity": "-9", "lot": new_lot.pk, "reason": "count"})
    assert too_many.status_code == 400 and "Not enough stock of C-1" in too_many.content.decode()
    assert as_member.post(f"/app/inventory/{chain.pk}/adjust/", {"quantity": "-1", "lot": new_lot.pk, "reason": "count"}).status_code == 302
    moved = as_member.post(f"/app/inventory/{chain.pk}/transfer/", {"quantity": "2", "lot": new_lot.pk, "from_location": main.pk, "to_location": safe.pk})
    assert moved.status_code == 302
    with tenant_context(tenant):
        chain.refresh_from_db()
        assert chain.quantity == 4
        assert list(StockMovement.objects.filter(item=chain).order_by("pk").values_list("kind", "quantity")) == [
            ("receipt", 2), ("receipt", 3), ("adjustment", -1), ("transfer_out", -2), ("transfer_in", 2)]
    assert "B-7" in as_member.get("/app/inventory/lots/").content.decode()
    movements = as_member.get("/app/inventory/movements/", {"kind": "adjustment"}).content.decode()
    assert "count" in movements and "PO 5" not in movements


def test_locations_page_is_for_admins(shop, client):
    tenant, people = shop
    client.force_login(people["member"])
    assert client.get("/app/inventory/locations/").status_code == 403
    client.force_login(people["admin"])
    page = client.get("/app/inventory/locations/").content.decode()
    assert "Main" in page and "MAIN" in page
    assert client.post("/app/inventory/locations/", {"form": "branch", "branch-name": "Bazaar", "branch-code": "bz", "branch-address": "Grand Bazaar 12"}).status_code == 302
    dup = client.post("/app/inventory/locations/", {"form": "branch", "branch-name": "Again", "branch-code": "BZ"})
    assert dup.status_code == 400 and "Another branch of this shop has this code." in dup.content.decode()
    with tenant_context(tenant):
        from modules.inventory.models import Branch

        bazaar = Branch.objects.get(code="BZ")
    assert client.post("/app/inventory/locations/", {"form": "location", "location-branch": bazaar.pk, "location-name": "Workshop", "location-kind": "workshop"}).status_code == 302
    with tenant_context(tenant):
        assert Location.objects.filter(branch=bazaar, name="Workshop", kind="workshop").exists()


def test_viewer_reads_but_cannot_move_stock_and_other_shops_are_404(shop, client):
    tenant, people = shop
    ring = piece(tenant, "R-1")
    client.force_login(people["viewer"])
    assert client.get(f"/app/inventory/{ring.pk}/").status_code == 200
    assert client.get(f"/app/inventory/{ring.pk}/adjust/").status_code == 403
    assert client.post(f"/app/inventory/{ring.pk}/adjust/", {"quantity": "-1", "reason": "x"}).status_code == 403
    other, _ = make_shop("Other")
    theirs = piece(other, "THEIRS")
    client.force_login(people["owner"])
    for url in (f"/app/inventory/{theirs.pk}/", f"/app/inventory/{theirs.pk}/label/", f"/app/inventory/{theirs.pk}/receive/", f"/app/inventory/labels/?ids={theirs.pk}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/app/inventory/{theirs.pk}/adjust/", {"quantity": "-1", "reason": "x"}).status_code == 404
    with tenant_context(other):
        theirs.refresh_from_db()
        assert theirs.quantity == 1 and StockMovement.objects.count() == 1


def test_delete_of_an_item_with_history_is_refused(shop, client):
    tenant, people = shop
    ring = piece(tenant, "R-1", price=D("10"))
    client.force_login(people["admin"])
    response = client.post(f"/app/inventory/{ring.pk}/delete/")
    assert response.status_code == 409 and "stock history" in response.content.decode()
    with tenant_context(tenant):
        assert Item.objects.filter(pk=ring.pk).exists()
