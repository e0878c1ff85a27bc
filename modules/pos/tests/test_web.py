"""The panel sale screen and pages, the API, cross-shop 404s, and RLS of the pos tables."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.isolation import assert_table_isolated
from django.db import DatabaseError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from modules.inventory.models import Item
from modules.pos.models import Sale
from zargar.tenancy.checks import tables_without_forced_rls
from zargar.tenancy.context import tenant_context

from .helpers import make_pos_shop, make_sellable_piece, sell

pytestmark = pytest.mark.django_db

TABLES = ("pos_sale", "pos_saleline", "pos_oldgoldline", "pos_salereturn", "pos_returnline", "pos_payment")


def api_for(user, tenant):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_TENANT=tenant.slug)
    return client


@pytest.fixture
def two_shops():
    return make_pos_shop("Shop A"), make_pos_shop("Shop B")


def test_panel_sale_screen_flow_to_receipt():
    shop = make_pos_shop("Panel Gold")
    ring = make_sellable_piece(shop, "R-1")
    client = Client()
    client.force_login(shop.member)
    start = client.get("/app/pos/")
    assert start.status_code == 302
    cart_url = start["Location"]
    pk = int(cart_url.rstrip("/").split("/")[-1])
    assert client.get(cart_url).status_code == 200
    bad = client.post(f"/app/pos/cart/{pk}/scan/", {"code": "NOPE-999"})
    assert bad.status_code == 400 and b"NOPE-999" in bad.content
    added = client.post(f"/app/pos/cart/{pk}/scan/", {"code": ring.tag}, HTTP_HX_REQUEST="true")
    assert added.status_code == 200 and b"550.00" in added.content
    with tenant_context(shop.tenant):
        line = Sale.objects.get(pk=pk).lines.get()
    too_much = client.post(f"/app/pos/cart/{pk}/lines/{line.pk}/", {"discount": "100.00"}, HTTP_HX_REQUEST="true")
    assert b"above your cap" in too_much.content
    short = client.post(f"/app/pos/cart/{pk}/complete/", {"cash": "100.00"})
    assert short.status_code == 400 and b"a balance owed needs a customer" in short.content
    done = client.post(f"/app/pos/cart/{pk}/complete/", {"cash": "300.00", "card": "250.00"})
    assert done.status_code == 302 and done["Location"] == f"/app/pos/sales/{pk}/receipt/"
    receipt = client.get(done["Location"])
    assert receipt.status_code == 200
    assert b"size: 80mm" in receipt.content and b"S-000001" in receipt.content and b"Panel Gold" in receipt.content
    pdf = client.get(f"/app/pos/sales/{pk}/receipt.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    assert client.get("/app/pos/sales/?q=S-000001").status_code == 200
    # Members may not take returns (admin).
    assert client.post(f"/app/pos/sales/{pk}/return/", {f"qty_{line.pk}": "1", "refund_method": "cash"}).status_code == 403
    with tenant_context(shop.tenant):
        assert Item.objects.get(pk=ring.pk).quantity == 0


def test_panel_return_form_and_persian_receipt():
    shop = make_pos_shop("Panel Gold")
    ring = make_sellable_piece(shop, "R-1")
    sale = sell(shop, [ring])
    client = Client()
    client.force_login(shop.admin)
    with tenant_context(shop.tenant):
        line = sale.lines.get()
    page = client.get(f"/app/pos/sales/{sale.pk}/")
    assert page.status_code == 200 and b"return-form" in page.content and b"void" in page.content
    too_many = client.post(f"/app/pos/sales/{sale.pk}/return/", {f"qty_{line.pk}": "2", "refund_method": "cash"})
    assert too_many.status_code == 400
    ok = client.post(f"/app/pos/sales/{sale.pk}/return/", {f"qty_{line.pk}": "1", "refund_method": "cash"})
    assert ok.status_code == 302
    with tenant_context(shop.tenant):
        sale.refresh_from_db()
    assert sale.status == "returned"
    client.cookies.load({"django_language": "fa"})
    fa = client.get(f"/app/pos/sales/{sale.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="fa")
    assert fa.status_code == 200 and "۵۵۰".encode() in fa.content


def test_cross_shop_sales_are_404_in_panel_and_api(two_shops):
    a, b = two_shops
    sale = sell(a, [make_sellable_piece(a, "A-1")])
    client = Client()
    client.force_login(b.owner)
    for url in (f"/app/pos/sales/{sale.pk}/", f"/app/pos/sales/{sale.pk}/receipt/", f"/app/pos/sales/{sale.pk}/receipt.pdf", f"/app/pos/cart/{sale.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/app/pos/sales/{sale.pk}/void/").status_code == 404
    api = api_for(b.owner, b.tenant)
    assert api.get(f"/api/v1/pos/sales/{sale.pk}/").status_code == 404
    assert api.get(f"/api/v1/pos/sales/{sale.pk}/receipt/").status_code == 404
    assert api.post(f"/api/v1/pos/sales/{sale.pk}/returns/", {"lines": [{"line": 1, "quantity": 1}]}, format="json").status_code == 404
    assert api.get("/api/v1/pos/sales/").json()["count"] == 0


def test_api_new_sale_answer_equals_the_sale_read_back():
    """A new sale answers from what it just wrote (no read-back); its replay reads it from the
    database: both answers must be the same, field for field — with stones, a lot item taken
    first-in first-out, old gold, a split payment with store credit left owed, and a discount."""
    from modules.customers import actions as customers

    from .helpers import make_lot_item

    shop = make_pos_shop("Replay Gold")
    ring = make_sellable_piece(shop, "R-STONE", stones=[{"stone_type": "diamond", "count": 2, "carat_weight": D("0.20"), "value": D("120.00")}])
    chain = make_lot_item(shop, "L-CHAIN", quantity=3)
    with tenant_context(shop.tenant):
        buyer = customers.create_customer(shop.tenant, full_name="Replay Buyer", phone="+989121234567")
    api = api_for(shop.owner, shop.tenant)
    body = {
        "lines": [{"item": ring.pk}, {"item": chain.pk, "quantity": 2, "discount": "3.00"}],
        "payments": [{"method": "cash", "amount": "100.00"}, {"method": "card", "amount": "200.00", "reference": "slip 9"}],
        "old_gold": [{"weight": "2.500", "fineness": 750, "deduction_percent": "5", "description": "old ring"}],
        "customer": buyer.pk, "discount": "10.00", "note": "replay check",
    }
    created = api.post("/api/v1/pos/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY="replay-1")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/pos/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY="replay-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert created.json() == again.json()
    data = created.json()
    assert len(data["lines"]) == 2 and len(data["old_gold_lines"]) == 1 and len(data["payments"]) == 3
    assert D(data["balance_due"]) > 0 and data["lines"][0]["breakdown"]["lines_total"] == "120.00"
    assert api.get(f"/api/v1/pos/sales/{data['id']}/").json() == data


def test_api_complete_sale_idempotent_errors_returns_and_receipt():
    shop = make_pos_shop("API Gold")
    ring = make_sellable_piece(shop, "R-1")
    api = api_for(shop.member, shop.tenant)
    body = {"lines": [{"barcode": ring.tag}], "payments": [{"method": "cash", "amount": "550.00"}]}
    missing = api.post("/api/v1/pos/sales/", body, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "idempotency_key"
    created = api.post("/api/v1/pos/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY="till-1-0001")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["number"], data["total"], data["lines"][0]["metal"]) == ("S-000001", "550.00", "500.00")
    again = api.post("/api/v1/pos/sales/", body, format="json", HTTP_IDEMPOTENCY_KEY="till-1-0001")
    assert again.status_code == 200 and again.json()["id"] == data["id"] and again["Idempotent-Replayed"] == "true"
    with tenant_context(shop.tenant):
        assert Sale.objects.filter(tenant=shop.tenant).count() == 1
    for payload, code, expected in (
        ({"lines": [{"barcode": "NOPE"}], "payments": []}, "unknown_barcode", 404),
        ({"lines": [{"item": ring.pk}], "payments": [{"method": "cash", "amount": "550.00"}]}, "out_of_stock", 409),
        ({"lines": [{"item": ring.pk}], "old_gold": [{"weight": "-2.000", "fineness": 750}]}, "bad_weight", 400),
    ):
        refused = api.post("/api/v1/pos/sales/", payload, format="json", HTTP_IDEMPOTENCY_KEY=f"k-{code}")
        assert refused.status_code == expected and refused.json()["error"]["code"] == code, refused.content
    assert api.get("/api/v1/pos/sales/").json()["count"] == 1
    assert api.get(f"/api/v1/pos/sales/{data['id']}/").json()["number"] == "S-000001"
    pdf = api.get(f"/api/v1/pos/sales/{data['id']}/receipt/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    line_id = data["lines"][0]["id"]
    assert api.post(f"/api/v1/pos/sales/{data['id']}/returns/", {"lines": [{"line": line_id}]}, format="json").status_code == 403  # member
    admin = api_for(shop.admin, shop.tenant)
    over = admin.post(f"/api/v1/pos/sales/{data['id']}/returns/", {"lines": [{"line": line_id, "quantity": 2}]}, format="json")
    assert over.status_code == 400 and over.json()["error"]["code"] == "return_too_many"
    ret = admin.post(f"/api/v1/pos/sales/{data['id']}/returns/", {"lines": [{"line": line_id}], "refunds": [{"method": "card", "amount": "550.00"}]}, format="json")
    assert ret.status_code == 201 and ret.json()["number"] == "R-000001"


def test_rls_isolates_every_pos_table(two_shops):
    a, b = two_shops
    for shop in (a, b):
        ring = make_sellable_piece(shop, "X-1")
        sale = sell(shop, [ring], old_gold=[{"weight": D("1.000"), "fineness": 750}])
        from modules.pos.actions import return_sale_lines

        with tenant_context(shop.tenant):
            return_sale_lines(shop.tenant, sale, lines=[(sale.lines.get().pk, 1)], actor=shop.admin)

    def raw(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            return cursor.fetchall() if cursor.description else cursor.rowcount

    forced = dict(raw("SELECT relname, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [list(TABLES)]))
    assert forced == {t: True for t in TABLES}
    assert not set(tables_without_forced_rls(connection)) & set(TABLES)
    for table in TABLES:
        assert_table_isolated(table, a.tenant, b.tenant)
    with tenant_context(b.tenant):
        b_sale = raw("SELECT id FROM pos_sale")[0][0]
    with tenant_context(a.tenant):
        assert raw("UPDATE pos_sale SET total = 0 WHERE id = %s", [b_sale]) == 0
        assert raw("DELETE FROM pos_payment WHERE tenant_id = %s", [b.tenant.pk]) == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                raw("INSERT INTO zargar_core_documentsequence (tenant_id, key, last_value) VALUES (%s, 'pos.sale', 0)", [b.tenant.pk])
