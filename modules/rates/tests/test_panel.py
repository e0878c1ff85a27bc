"""Panel pages: board with SVG trend, entry form, history, alerts, quotes; roles and shop scoping."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from modules.rates import actions
from modules.rates.models import PriceQuote, Rate, RateAlert
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def _seed(tenant):
    now = timezone.now()
    with tenant_context(tenant):
        for days, sell in ((20, "60"), (10, "61.5"), (1, "63")):
            actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D(sell) - 2, sell=D(sell), effective_at=now - timedelta(days=days))


def test_viewer_sees_board_history_and_chart_but_cannot_enter(client, shop):
    tenant, people = shop
    _seed(tenant)
    client.force_login(people["viewer"])
    page = client.get("/app/rates/?unit=mithqal&purity=gold_750&days=30")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="rate-board"' in html
    assert "290.32" in html  # 63 × 4.6083 = 290.3229 per mithqal
    assert "<svg" in html and 'data-series="sell"' in html and "<script" not in html.split('data-testid="trend-chart"')[1].split("</section>")[0]
    assert client.get("/app/rates/history/").status_code == 200
    assert client.get("/app/rates/new/").status_code == 403
    assert client.post("/app/rates/new/", {"purity": "gold_750", "unit": "gram", "buy": "1", "sell": "2"}).status_code == 403
    assert client.get("/app/rates/alerts/").status_code == 403
    with tenant_context(tenant):
        assert Rate.objects.count() == 3


def test_member_enters_a_rate(client, shop):
    tenant, people = shop
    client.force_login(people["member"])
    assert client.get("/app/rates/new/").status_code == 200
    response = client.post("/app/rates/new/", {"purity": "gold_916", "unit": "tola", "buy": "700", "sell": "710"})
    assert response.status_code == 302 and response["Location"] == "/app/rates/"
    with tenant_context(tenant):
        rate = Rate.objects.get()
    assert (rate.purity, rate.unit, rate.sell, rate.entered_by) == ("gold_916", "tola", D("710.0000"), people["member"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"purity": "gold_750", "unit": "gram", "buy": "70", "sell": "60"}, "cannot be above the sell rate"),
        ({"purity": "gold_750", "unit": "cubit", "buy": "50", "sell": "60"}, "Select a valid choice"),
        ({"purity": "gold_750", "unit": "gram", "buy": "-5", "sell": "60"}, "greater than or equal to 0.0001"),
    ],
)
def test_bad_entry_shows_form_errors_and_writes_nothing(client, shop, data, message):
    tenant, people = shop
    client.force_login(people["member"])
    response = client.post("/app/rates/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    with tenant_context(tenant):
        assert Rate.objects.count() == 0


def test_admin_manages_alerts(client, shop):
    tenant, people = shop
    client.force_login(people["admin"])
    response = client.post("/app/rates/alerts/", {"purity": "gold_750", "side": "sell", "direction": "above", "threshold": "65", "unit": "gram"})
    assert response.status_code == 302
    with tenant_context(tenant):
        alert = RateAlert.objects.get()
    assert client.post(f"/app/rates/alerts/{alert.pk}/toggle/").status_code == 302
    with tenant_context(tenant):
        alert.refresh_from_db()
        assert alert.active is False
    bad = client.post("/app/rates/alerts/", {"purity": "gold_750", "side": "sell", "direction": "above", "threshold": "0", "unit": "gram"})
    assert bad.status_code == 400
    assert client.post(f"/app/rates/alerts/{alert.pk}/delete/").status_code == 302
    with tenant_context(tenant):
        assert not RateAlert.objects.exists()


def test_member_prices_a_piece(client, shop):
    tenant, people = shop
    _seed(tenant)
    client.force_login(people["member"])
    response = client.post("/app/rates/quotes/new/", {
        "purity": "gold_750", "net_weight": "10", "making_mode": "percent", "making_value": "10",
        "wastage_percent": "0", "profit_percent": "7", "tax_rule": "iran", "vat_percent": "9", "stones": "",
    })
    assert response.status_code == 302
    with tenant_context(tenant):
        quote = PriceQuote.objects.get()
    # 10 g × 63 = 630.00 ; making 63.00 ; profit 7 % of 693 = 48.51 ; VAT 9 % of 111.51 = 10.04 ; total 751.55
    assert quote.total == D("751.55")
    page = client.get(response["Location"]).content.decode()
    assert "751.55" in page and "Rate locked until" in page
    no_rate = client.post("/app/rates/quotes/new/", {"purity": "platinum_950", "net_weight": "1", "making_mode": "fixed", "making_value": "5", "wastage_percent": "0"})
    assert no_rate.status_code == 400 and "no rate for" in no_rate.content.decode()


def test_member_of_a_gets_404_for_shop_b_objects(client, shop):
    a, people = shop
    b, _ = make_shop("Beta Gold")
    with tenant_context(b):
        rate_b = actions.record_rate(b, purity="gold_750", unit="gram", buy=D("60"), sell=D("62"))
        quote_b = actions.quote_price(b, purity="gold_750", net_weight=D("1"))
        alert_b = actions.create_alert(b, purity="gold_750", side="sell", direction="above", threshold=D("70"))
    client.force_login(people["owner"])
    assert client.get(f"/app/rates/{rate_b.pk}/").status_code == 404
    assert client.get(f"/app/rates/quotes/{quote_b.pk}/").status_code == 404
    assert client.post(f"/app/rates/alerts/{alert_b.pk}/toggle/").status_code == 404
    assert client.post(f"/app/rates/alerts/{alert_b.pk}/delete/").status_code == 404
    assert "62.00" not in client.get("/app/rates/").content.decode()
    with tenant_context(b):
        assert RateAlert.objects.get(pk=alert_b.pk).active is True


def test_admin_saves_settings_and_feed(client, shop):
    from modules.rates import selectors

    tenant, people = shop
    client.force_login(people["member"])
    assert client.get("/app/rates/settings/").status_code == 403
    client.force_login(people["admin"])
    page = client.get("/app/rates/settings/")
    assert page.status_code == 200 and 'value="purity"' in page.content.decode()
    data = {
        "display_unit": "mithqal", "quote_lock_minutes": "10", "trend_days": "14", "profit_percent": "7",
        "tax_rule": "iran", "vat_percent": "10", "feed_enabled": "on", "feed_url": "https://rates.example.com/feed.csv",
        "feed_format": "csv", "feed_unit": "mithqal", "records_path": "", "field_purity": "name", "field_buy": "bid",
        "field_sell": "ask", "field_effective_at": "", "purity_map": "18 عیار = gold_750\n24K = gold_999", "timeout_seconds": "5",
    }
    assert client.post("/app/rates/settings/", data).status_code == 302
    with tenant_context(tenant):
        conf, feed = selectors.settings_of(tenant), selectors.provider_settings(tenant)
    assert (conf["display_unit"], conf["quote_lock_minutes"], conf["tax_rule"], conf["vat_percent"]) == ("mithqal", 10, "iran", "10")
    assert feed["key"] == "http_feed" and feed["fields"]["sell"] == "ask"
    assert feed["purity_map"] == {"18 عیار": "gold_750", "24K": "gold_999"}
    bad = client.post("/app/rates/settings/", {**data, "purity_map": "18K = gold_18", "display_unit": "pound"})
    assert bad.status_code == 400 and "known code" in bad.content.decode()
    with tenant_context(tenant):
        assert selectors.settings_of(tenant)["display_unit"] == "mithqal"


def test_dashboard_shows_current_sell_rates(client, shop):
    tenant, people = shop
    with tenant_context(tenant):
        actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D("60"), sell=D("62.40"))
    client.force_login(people["viewer"])
    html = client.get("/app/").content.decode()
    assert "Gold 18K (750), sell per gram" in html and "62.40\u00a0USD" in html
