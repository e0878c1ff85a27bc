"""API: board, rate history and entry, quotes, alerts; shop scoping and roles."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from modules.rates import actions
from modules.rates.models import PriceQuote, Rate
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def client_for(user, tenant):
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_TENANT=tenant.slug)
    return client


def test_board_and_history(shop):
    tenant, people = shop
    with tenant_context(tenant):
        actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D("60"), sell=D("62.40"))
    api = client_for(people["viewer"], tenant)
    body = api.get("/api/v1/rates/board/?unit=mithqal").json()
    assert body["unit"] == "mithqal" and body["currency"] == "USD"
    rows = {row["purity"]: row for row in body["results"]}
    assert rows["gold_750"]["sell"] == "287.56"  # 62.40 × 4.6083 = 287.55792 → 287.56
    assert rows["gold_999"]["sell"] is None
    history = api.get("/api/v1/rates/rates/?purity=gold_750").json()
    assert [r["sell"] for r in history["results"]] == ["62.4000"]
    assert api.get("/api/v1/rates/rates/?purity=gold_1000").status_code == 400


def test_member_posts_a_rate_viewer_cannot(shop):
    tenant, people = shop
    payload = {"purity": "gold_999", "unit": "troy_ounce", "buy": "2000", "sell": "2010.50"}
    denied = client_for(people["viewer"], tenant).post("/api/v1/rates/rates/", payload, format="json")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    created = client_for(people["member"], tenant).post("/api/v1/rates/rates/", payload, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["sell_per_gram"] == "64.639028"  # 2010.50 / 31.1035 = 64.6390277...
    assert data["entered_by"] == people["member"].email
    with tenant_context(tenant):
        assert Rate.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"purity": "gold_750", "unit": "gram", "buy": "70", "sell": "60"}, "buy"),
        ({"purity": "gold_750", "unit": "stone", "buy": "50", "sell": "60"}, "unit"),
        ({"purity": "gold_750", "unit": "gram", "buy": "-1", "sell": "60"}, "buy"),
        ({"purity": "gold_750", "unit": "gram", "buy": "x", "sell": "60"}, "buy"),
    ],
)
def test_bad_rate_is_400_json_and_writes_nothing(shop, payload, field):
    tenant, people = shop
    response = client_for(people["member"], tenant).post("/api/v1/rates/rates/", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    with tenant_context(tenant):
        assert Rate.objects.count() == 0


def test_rates_cannot_be_changed_or_deleted(shop):
    tenant, people = shop
    with tenant_context(tenant):
        rate = actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D("60"), sell=D("62"))
    api = client_for(people["owner"], tenant)
    assert api.patch(f"/api/v1/rates/rates/{rate.pk}/", {"sell": "1"}, format="json").status_code == 405
    assert api.delete(f"/api/v1/rates/rates/{rate.pk}/").status_code == 405


def test_quote_via_api_and_expiry(shop):
    tenant, people = shop
    with tenant_context(tenant):
        actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D("95"), sell=D("100"))
    api = client_for(people["member"], tenant)
    response = api.post("/api/v1/rates/quotes/", {
        "purity": "gold_750", "net_weight": "10", "making_mode": "per_gram", "making_value": "4.5",
        "lines": [{"label": "Ruby", "amount": "30"}], "tax_rule": "vat_total", "vat_percent": "10",
    }, format="json")
    assert response.status_code == 201, response.content
    quote = response.json()
    # 10 g × 100 = 1000.00 ; making 10 × 4.5 = 45.00 ; ruby 30.00 ; VAT 10 % of 1075 = 107.50 ; total 1182.50
    assert quote["total"] == "1182.5000" and quote["breakdown"]["vat"] == "107.50"
    assert quote["rate"]["sell"] == "100.0000"
    ref = quote["reference"]
    assert client_for(people["viewer"], tenant).get(f"/api/v1/rates/quotes/{ref}/").status_code == 200
    with tenant_context(tenant):
        PriceQuote.objects.filter(reference=ref).update(created_at=timezone.now() - timedelta(hours=1), expires_at=timezone.now() - timedelta(minutes=1))
    gone = api.get(f"/api/v1/rates/quotes/{ref}/")
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "quote_expired"


def test_quote_errors_are_400_json(shop):
    tenant, people = shop
    api = client_for(people["member"], tenant)
    no_rate = api.post("/api/v1/rates/quotes/", {"purity": "platinum_950", "net_weight": "2"}, format="json")
    assert no_rate.status_code == 400 and no_rate.json()["error"]["code"] == "no_rate"
    negative = api.post("/api/v1/rates/quotes/", {"purity": "platinum_950", "net_weight": "-2"}, format="json")
    assert negative.status_code == 400 and "net_weight" in negative.json()["error"]["fields"]
    assert client_for(people["viewer"], tenant).post("/api/v1/rates/quotes/", {"purity": "gold_750", "net_weight": "2"}, format="json").status_code == 403
    with tenant_context(tenant):
        assert not PriceQuote.objects.exists()


def test_member_of_a_gets_404_for_shop_b_rates_and_quotes(shop):
    a, people = shop
    b, owner_b = make_shop("Other Shop")
    with tenant_context(b):
        rate_b = actions.record_rate(b, purity="gold_750", unit="gram", buy=D("60"), sell=D("62"))
        quote_b = actions.quote_price(b, purity="gold_750", net_weight=D("1"))
    api = client_for(people["member"], a)
    assert api.get(f"/api/v1/rates/rates/{rate_b.pk}/").status_code == 404
    assert api.get(f"/api/v1/rates/quotes/{quote_b.reference}/").status_code == 404
    assert api.get("/api/v1/rates/rates/").json()["results"] == []
    # naming shop B without belonging to it is a 404 too
    other = APIClient()
    other.force_authenticate(people["member"])
    other.credentials(HTTP_X_TENANT=b.slug)
    assert other.get("/api/v1/rates/board/").status_code == 404


def test_alerts_api_is_for_admins(shop):
    tenant, people = shop
    assert client_for(people["member"], tenant).get("/api/v1/rates/alerts/").status_code == 403
    api = client_for(people["admin"], tenant)
    created = api.post("/api/v1/rates/alerts/", {"purity": "gold_750", "side": "sell", "direction": "above", "threshold": "300", "unit": "mithqal"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["threshold_per_gram"] == "65.099928"
    alert_id = created.json()["id"]
    assert api.patch(f"/api/v1/rates/alerts/{alert_id}/", {"active": False}, format="json").json()["active"] is False
    assert api.patch(f"/api/v1/rates/alerts/{alert_id}/", {"threshold": "1"}, format="json").status_code == 400
    assert api.delete(f"/api/v1/rates/alerts/{alert_id}/").status_code == 204


def test_module_off_is_404(shop):
    from zargar.tenancy.actions import set_module_enabled

    tenant, people = shop
    with tenant_context(tenant):
        set_module_enabled(tenant, "rates", False, cascade=True)
    assert client_for(people["owner"], tenant).get("/api/v1/rates/board/").status_code == 404
