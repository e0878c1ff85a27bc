"""The inventory API: items with tags and stones, look-up, lots and movements (read-only),
stock receive/adjust/transfer, labels PDF, errors as JSON with nothing written, cross-shop 404."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from modules.inventory import actions
from modules.inventory.models import Lot, StockMovement
from zargar.api import actions as key_actions
from zargar.tenancy.context import tenant_context

from .conftest import lot_item, piece

pytestmark = pytest.mark.django_db
BASE = "/api/v1/inventory/"


def _client(tenant, owner, mode="secret") -> APIClient:
    key, secret = key_actions.create_api_key(tenant, name="POS", mode="live", created_by=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret if mode == 'secret' else key.publishable_key}")
    return client


def _error(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.content[:400])
    body = response.json()["error"]
    assert body["message"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def api(shop):
    tenant, people = shop
    return _client(tenant, people["owner"])


def _movements(tenant):
    with tenant_context(tenant):
        return StockMovement.objects.count()


def test_create_piece_with_stones_and_read_it_back(shop, api):
    tenant, _ = shop
    body = {"sku": "R-9", "name": "Ruby ring", "karat": 18, "gross_weight": "6.100", "net_weight": "5.200", "price": "800.00",
            "quantity": 1, "huid": "HU1234", "making_mode": "per_gram", "making_value": "12.00", "priced_from_rate": True,
            "stones": [{"stone_type": "ruby", "count": 3, "carat_weight": "0.450", "value": "120.00"}]}
    created = api.post(f"{BASE}items/", body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["tracking"], data["tag"], data["quantity"], data["huid"]) == ("serialized", "ZG000001", 1, "HU1234")
    assert data["stones"] == [{"stone_type": "ruby", "count": 3, "carat_weight": "0.450", "value": "120.00"}]
    assert data["location"] is not None
    assert _movements(tenant) == 1
    found = api.get(f"{BASE}items/lookup/", {"code": "ZG000001"})
    assert found.status_code == 200 and found.json()["sku"] == "R-9"
    assert api.get(f"{BASE}items/lookup/", {"code": "HU1234"}).json()["id"] == data["id"]
    _error(api.get(f"{BASE}items/lookup/", {"code": "NOPE-404"}), 404, "not_found")
    assert api.get(f"{BASE}items/", {"q": "ZG0000"}).json()["count"] == 1
    assert api.get(f"{BASE}items/", {"tracking": "lot"}).json()["count"] == 0


def test_receive_adjust_transfer_and_read_only_history(shop, api):
    tenant, _ = shop
    chain = lot_item(tenant, "C-1", quantity=0)
    main = actions.default_location(tenant)
    safe = actions.save_location(tenant, branch=main.branch, name="Safe", kind="safe")
    received = api.post(f"{BASE}stock/receive/", {"item": chain.pk, "quantity": 5, "unit_cost": "20.00", "gross_weight": "10.500", "net_weight": "10.000", "document": "PO-1"}, format="json")
    assert received.status_code == 201, received.content
    (movement,) = received.json()["movements"]
    assert (movement["kind"], movement["quantity"], movement["net_weight"], movement["document"]) == ("receipt", 5, "10.000", "PO-1")
    lot_id = movement["lot"]
    adjusted = api.post(f"{BASE}stock/adjust/", {"item": chain.pk, "lot": lot_id, "quantity": -1, "reason": "Broken clasp"}, format="json")
    assert adjusted.status_code == 201 and adjusted.json()["movements"][0]["net_weight"] == "-2.000"
    moved = api.post(f"{BASE}stock/transfer/", {"item": chain.pk, "lot": lot_id, "quantity": 2, "from_location": main.pk, "to_location": safe.pk}, format="json")
    assert moved.status_code == 201 and [m["kind"] for m in moved.json()["movements"]] == ["transfer_out", "transfer_in"]

    lots = api.get(f"{BASE}lots/", {"item": chain.pk}).json()["results"]
    assert sorted((row["location"], row["quantity"]) for row in lots) == sorted([(main.pk, 2), (safe.pk, 2)])
    history = api.get(f"{BASE}movements/", {"item": chain.pk}).json()
    assert history["count"] == 4 and history["results"][0]["kind"] == "transfer_in"
    assert api.get(f"{BASE}locations/").json()["count"] == 2
    mid = history["results"][0]["id"]
    assert api.delete(f"{BASE}movements/{mid}/").status_code == 405
    assert api.patch(f"{BASE}movements/{mid}/", {"quantity": 9}, format="json").status_code == 405
    assert api.post(f"{BASE}movements/", {}, format="json").status_code == 405


@pytest.mark.parametrize(
    "path, payload, status, code",
    [
        ("receive", {"quantity": 0}, 400, "invalid"),
        ("receive", {"quantity": -3}, 400, "invalid"),
        ("receive", {"quantity": 1, "gross_weight": "-1.000", "net_weight": "-1.000"}, 400, "invalid"),
        ("receive", {"quantity": 1, "gross_weight": "1.000", "net_weight": "2.000"}, 400, "bad_weight"),
        ("adjust", {"quantity": -50, "reason": "count", "lot": "LOT"}, 409, "out_of_stock"),
        ("adjust", {"quantity": -1, "lot": "LOT"}, 400, "invalid"),  # no reason
        ("adjust", {"quantity": 0, "reason": "x"}, 400, "invalid"),
        ("transfer", {"quantity": 99, "lot": "LOT", "from_location": "MAIN", "to_location": "MAIN"}, 400, "same_location"),
        ("receive", {"quantity": 1, "location": 999999}, 404, "unknown_location"),
        ("receive", {"quantity": 1, "item": 999999}, 404, "unknown_item"),
    ],
)
def test_bad_stock_requests_are_json_errors_and_write_nothing(shop, api, path, payload, status, code):
    tenant, _ = shop
    chain = lot_item(tenant, "C-1", quantity=3)
    with tenant_context(tenant):
        lot = Lot.objects.get(item=chain)
    main = actions.default_location(tenant)
    fill = {"LOT": lot.pk, "MAIN": main.pk}
    payload = {"item": chain.pk, **{k: fill.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}}
    before = _movements(tenant)
    _error(api.post(f"{BASE}stock/{path}/", payload, format="json"), status, code)
    assert _movements(tenant) == before
    with tenant_context(tenant):
        lot.refresh_from_db()
    assert lot.quantity == 3


def test_another_shops_ids_answer_404_and_change_nothing(shop, api, db):
    from tests.factories import make_shop

    other, other_owner = make_shop("Other Gold")
    theirs = piece(other, "THEIRS")
    _error(api.get(f"{BASE}items/{theirs.pk}/"), 404)
    _error(api.get(f"{BASE}items/{theirs.pk}/label/"), 404)
    _error(api.get(f"{BASE}items/labels/", {"ids": str(theirs.pk)}), 404)
    _error(api.post(f"{BASE}stock/adjust/", {"item": theirs.pk, "quantity": -1, "reason": "steal"}, format="json"), 404, "unknown_item")
    _error(api.get(f"{BASE}items/lookup/", {"code": theirs.tag}), 404)
    assert _movements(other) == 1
    with tenant_context(other):
        theirs.refresh_from_db()
    assert theirs.quantity == 1


def test_labels_pdf_and_permissions(shop, api):
    tenant, people = shop
    ring = piece(tenant, "R-1")
    response = api.get(f"{BASE}items/labels/", {"ids": f"{ring.pk}"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "ZG000001" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    one = api.get(f"{BASE}items/{ring.pk}/label/")
    assert one.status_code == 200 and one.content.startswith(b"%PDF-")
    _error(api.get(f"{BASE}items/labels/", {"ids": "1,x"}), 400, "invalid")
    readonly = _client(tenant, people["owner"], mode="publishable")
    assert readonly.get(f"{BASE}movements/").status_code == 200
    _error(readonly.post(f"{BASE}stock/receive/", {"item": ring.pk, "quantity": 1}, format="json"), 403)
