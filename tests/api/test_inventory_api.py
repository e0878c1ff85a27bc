"""The inventory API: filters, pagination, CRUD, validation, module gating."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.inventory.models import Item
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context

from .conftest import assert_error, make_item, with_key

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/inventory/items/"
NEW = {"sku": "N-1", "name": "Chain", "category": "chains", "karat": 21, "gross_weight": "12.345", "net_weight": "12.000", "quantity": 3, "price": "1500.50"}


def _skus(response):
    assert response.status_code == 200, response.content
    return [row["sku"] for row in response.json()["results"]]


def _count(tenant, **filters):
    with tenant_context(tenant):
        return Item.objects.filter(**filters).count()


def test_filters_by_search_and_karat(api, shop_a):
    make_item(shop_a.tenant, "BR-9", name="Bracelet", category="bracelets", karat=24)
    client = with_key(api, shop_a.secret)
    assert _skus(client.get(ITEMS, {"karat": 18})) == ["A-1", "A-3"]
    assert _skus(client.get(ITEMS, {"q": "bracel"})) == ["BR-9"]
    assert _skus(client.get(ITEMS, {"q": "a-", "karat": 22})) == ["A-2"]
    assert _skus(client.get(ITEMS, {"q": "nothing-like-this"})) == []
    error = assert_error(client.get(ITEMS, {"karat": "19"}), 400, "invalid")
    assert "karat" in error["fields"]


def test_limit_offset_pagination(api, shop_a):
    client = with_key(api, shop_a.secret)
    page = client.get(ITEMS, {"limit": 2}).json()
    assert page["count"] == 3 and [r["sku"] for r in page["results"]] == ["A-1", "A-2"] and page["next"] and page["previous"] is None
    page = client.get(ITEMS, {"limit": 2, "offset": 2}).json()
    assert [r["sku"] for r in page["results"]] == ["A-3"] and page["next"] is None


def test_create_retrieve_update_delete(api, shop_a):
    client = with_key(api, shop_a.secret)
    created = client.post(ITEMS, NEW, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["sku"] == "N-1" and body["gross_weight"] == "12.345" and body["price"] == "1500.50"
    url = f"{ITEMS}{body['id']}/"
    assert client.get(url).json()["name"] == "Chain"

    # Stock changes through the stock endpoints, not by editing the item.
    error = assert_error(client.put(url, {**NEW, "name": "Heavy chain", "quantity": 5}, format="json"), 400, "invalid")
    assert "quantity" in error["fields"]
    put = client.put(url, {**NEW, "name": "Heavy chain"}, format="json")
    assert put.status_code == 200 and put.json()["quantity"] == 3 and put.json()["tracking"] == "lot"
    adjusted = client.post("/api/v1/inventory/stock/adjust/", {"item": body["id"], "quantity": 2, "reason": "count"}, format="json")
    assert adjusted.status_code == 201, adjusted.content
    patch = client.patch(url, {"price": "1600.00"}, format="json")
    assert patch.status_code == 200 and patch.json()["price"] == "1600.00" and patch.json()["quantity"] == 5
    with tenant_context(shop_a.tenant):
        row = Item.objects.get(pk=body["id"])
        assert (row.name, row.quantity, row.price, row.tenant_id) == ("Heavy chain", 5, Decimal("1600.00"), shop_a.tenant.pk)

    # An item with stock history is kept (409); one that never had stock can be deleted.
    assert_error(client.delete(url), 409, "has_movements")
    assert _count(shop_a.tenant, pk=body["id"]) == 1
    empty = client.post(ITEMS, {**NEW, "sku": "N-2", "quantity": 0}, format="json").json()
    empty_url = f"{ITEMS}{empty['id']}/"
    assert client.delete(empty_url).status_code == 204
    assert_error(client.get(empty_url), 404, "not_found")
    assert _count(shop_a.tenant, pk=empty["id"]) == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"gross_weight": "-1.000"}, "gross_weight"),
        ({"net_weight": "0"}, "net_weight"),
        ({"net_weight": "13.000"}, "net_weight"),  # more than the gross weight
        ({"karat": 19}, "karat"),
        ({"price": "-5"}, "price"),
        ({"sku": ""}, "sku"),
        ({"quantity": -1}, "quantity"),
    ],
)
def test_invalid_create_is_400_with_fields_and_saves_nothing(api, shop_a, change, field):
    response = with_key(api, shop_a.secret).post(ITEMS, {**NEW, **change}, format="json")
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert _count(shop_a.tenant) == 3


def test_duplicate_sku_in_same_shop_is_400_but_fine_in_another(api, shop_a, shop_b):
    error = assert_error(with_key(api, shop_a.secret).post(ITEMS, {**NEW, "sku": "A-1"}, format="json"), 400, "invalid")
    assert "sku" in error["fields"]
    assert _count(shop_a.tenant, sku="A-1") == 1
    # Shop B may use the SKU that shop A has.
    response = with_key(api, shop_b.secret).post(ITEMS, {**NEW, "sku": "A-1"}, format="json")
    assert response.status_code == 201, response.content
    assert _count(shop_b.tenant, sku="A-1") == 1 and _count(shop_a.tenant, sku="A-1") == 1


def test_invalid_update_leaves_the_row_as_it_was(api, shop_a):
    item = shop_a.items[0]
    client = with_key(api, shop_a.secret)
    error = assert_error(client.patch(f"{ITEMS}{item.pk}/", {"net_weight": "9.000"}, format="json"), 400, "invalid")
    assert "net_weight" in error["fields"]
    error = assert_error(client.patch(f"{ITEMS}{item.pk}/", {"sku": "A-2"}, format="json"), 400, "invalid")
    assert "sku" in error["fields"]
    with tenant_context(shop_a.tenant):
        row = Item.objects.get(pk=item.pk)
        assert (row.sku, row.net_weight) == ("A-1", Decimal("4.500"))


def test_module_off_for_one_shop_is_404_there_and_200_elsewhere(api, shop_a, shop_b):
    set_module_enabled(shop_a.tenant, "inventory", False, cascade=True)  # modules that need inventory go off too
    client_a = with_key(api, shop_a.secret)
    assert_error(client_a.get(ITEMS), 404, "not_found")
    assert_error(client_a.get(f"{ITEMS}{shop_a.items[0].pk}/"), 404)
    assert_error(client_a.post(ITEMS, NEW, format="json"), 404)
    assert _count(shop_a.tenant) == 3
    from rest_framework.test import APIClient

    assert with_key(APIClient(), shop_b.secret).get(ITEMS).status_code == 200
    set_module_enabled(shop_a.tenant, "inventory", True)
    assert client_a.get(ITEMS).status_code == 200
