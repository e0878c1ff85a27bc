"""The HTTP feed provider against a real local HTTP server (JSON, CSV and failures), and the
tenant-aware fetch tasks."""

from __future__ import annotations

import json
import logging
import threading
import time
from decimal import Decimal as D
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from modules.rates import actions
from modules.rates.models import Rate
from modules.rates.providers import ProviderError, available_providers, get_provider
from modules.rates.providers.http_feed import HttpFeedProvider
from modules.rates.tasks import fetch_all_provider_rates, fetch_provider_rates
from tests.factories import make_shop
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context

GOOD_JSON = json.dumps({"data": {"rates": [
    {"karat": "18K", "bid": 4600.5, "ask": "4650.25", "at": "2026-01-05T09:30:00Z"},
    {"karat": "24K", "bid": 6100, "ask": 6150},
]}})
GOOD_CSV = "purity,buy,sell\ngold_750,60.10,62.40\nsilver_925,0.80,0.95\n"

ROUTES = {
    "/good.json": (200, "application/json", GOOD_JSON),
    "/good.csv": (200, "text/csv", GOOD_CSV),
    "/missing-purity.json": (200, "application/json", json.dumps([{"purity": "gold_750", "buy": 1, "sell": 2}, {"buy": 1, "sell": 2}])),
    "/non-numeric.csv": (200, "text/csv", "purity,buy,sell\ngold_750,60.10,sixty\n"),
    "/negative.json": (200, "application/json", json.dumps([{"purity": "gold_999", "buy": -5, "sell": 10}])),
    "/unknown-purity.json": (200, "application/json", json.dumps([{"purity": "gold_750", "buy": 1, "sell": 2}, {"purity": "coins", "buy": 1, "sell": 2}])),
    "/swapped.json": (200, "application/json", json.dumps([{"purity": "gold_750", "buy": 70, "sell": 60}])),
    "/not-json": (200, "application/json", "<html>oops</html>"),
    "/500": (500, "text/plain", "boom"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/good.json")
            self.end_headers()
            return
        status, ctype, body = ROUTES.get(self.path, (404, "text/plain", "not found"))
        if self.path == "/slow":
            status, ctype, body = ROUTES["/good.json"]
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def feed():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def allow_local(settings):
    settings.RATES_PROVIDER_ALLOW_PRIVATE_HOSTS = True


JSON_CONFIG = {
    "key": "http_feed", "format": "json", "unit": "mithqal", "records_path": "data.rates",
    "fields": {"purity": "karat", "buy": "bid", "sell": "ask", "effective_at": "at"},
    "purity_map": {"18K": "gold_750", "24K": "gold_999"},
}


def test_json_feed_with_mapping(feed, allow_local):
    rates = HttpFeedProvider().fetch({**JSON_CONFIG, "url": f"{feed}/good.json"})
    assert [(r.purity, r.buy, r.sell, r.unit) for r in rates] == [
        ("gold_750", D("4600.5"), D("4650.25"), "mithqal"),
        ("gold_999", D("6100"), D("6150"), "mithqal"),
    ]
    assert all(isinstance(r.buy, D) for r in rates)  # JSON numbers read as Decimal, never float
    assert rates[0].effective_at.isoformat() == "2026-01-05T09:30:00+00:00" and rates[1].effective_at is None


def test_csv_feed(feed, allow_local):
    rates = HttpFeedProvider().fetch({"key": "http_feed", "format": "csv", "unit": "gram", "url": f"{feed}/good.csv"})
    assert [(r.purity, r.buy, r.sell) for r in rates] == [("gold_750", D("60.10"), D("62.40")), ("silver_925", D("0.80"), D("0.95"))]


@pytest.mark.parametrize(
    ("path", "fmt", "message"),
    [
        ("/missing-purity.json", "json", "record 2: the purity field 'purity' is missing"),
        ("/non-numeric.csv", "csv", "sell is not a number ('sixty')"),
        ("/negative.json", "json", "buy must be more than 0 (got -5)"),
        ("/unknown-purity.json", "json", "unknown purity 'coins'"),
        ("/swapped.json", "json", "buy 70 is above sell 60"),
        ("/not-json", "json", "not valid JSON"),
        ("/500", "json", "HTTP 500"),
        ("/redirect", "json", "redirects are not followed"),
    ],
)
def test_bad_payloads_raise_clear_errors(feed, allow_local, path, fmt, message):
    with pytest.raises(ProviderError) as info:
        HttpFeedProvider().fetch({"format": fmt, "unit": "gram", "url": f"{feed}{path}"})
    assert message in str(info.value)


def test_timeout(feed, allow_local):
    started = time.monotonic()
    with pytest.raises(ProviderError, match="did not answer within 0.3 s"):
        HttpFeedProvider().fetch({"format": "json", "url": f"{feed}/slow", "timeout_seconds": 0.3})
    assert time.monotonic() - started < 1.4


def test_unknown_purities_can_be_skipped(feed, allow_local):
    rates = HttpFeedProvider().fetch({"format": "json", "url": f"{feed}/unknown-purity.json", "skip_unknown_purities": True})
    assert [r.purity for r in rates] == ["gold_750"]


def test_private_hosts_are_refused_by_default(feed):
    with pytest.raises(ProviderError, match="non-public address"):
        HttpFeedProvider().fetch({"format": "json", "url": f"{feed}/good.json"})
    with pytest.raises(ProviderError, match="http:// or https://"):
        HttpFeedProvider().fetch({"format": "json", "url": "file:///etc/passwd"})


def test_registry_offers_http_feed():
    assert isinstance(get_provider("http_feed"), HttpFeedProvider)
    assert "http_feed" not in available_providers(enabled_modules=["inventory"])
    with pytest.raises(ProviderError, match="no rate provider 'nope'"):
        get_provider("nope")


@pytest.mark.django_db
def test_task_records_feed_rates_into_the_shop(feed, allow_local, in_shop):
    actions.save_provider_settings(in_shop, {**JSON_CONFIG, "url": f"{feed}/good.json"})
    assert fetch_provider_rates.delay(in_shop.pk).get() == 2
    rows = {r.purity: r for r in Rate.objects.all()}
    assert set(rows) == {"gold_750", "gold_999"}
    r = rows["gold_750"]
    assert (r.source, r.provider_key, r.unit, r.sell, r.currency) == ("provider", "http_feed", "mithqal", D("4650.2500"), "USD")
    assert r.sell_per_gram == D("1009.103140")  # 4650.25 / 4.6083 = 1009.1031399...
    assert r.effective_at.isoformat() == "2026-01-05T09:30:00+00:00"
    # the next fetch answers the same rates: nothing new is appended
    assert fetch_provider_rates.delay(in_shop.pk).get() == 0
    assert Rate.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/missing-purity.json", "/non-numeric.csv", "/negative.json", "/500", "/slow"])
def test_task_failure_is_logged_and_writes_nothing(feed, allow_local, in_shop, caplog, path):
    actions.save_provider_settings(in_shop, {"key": "http_feed", "format": "csv" if path.endswith(".csv") else "json", "url": f"{feed}{path}", "timeout_seconds": 0.3})
    with caplog.at_level(logging.ERROR, logger="modules.rates.tasks"):
        assert fetch_provider_rates.delay(in_shop.pk).get() == 0
    assert Rate.objects.count() == 0
    (record,) = [r for r in caplog.records if r.name == "modules.rates.tasks"]
    assert record.levelno == logging.ERROR
    assert f"shop {in_shop.pk}" in record.getMessage() and "nothing recorded" in record.getMessage()


@pytest.mark.django_db
def test_beat_task_fans_out_over_shops_with_module_on_and_a_feed(feed, allow_local, shop):
    configured, _ = shop
    without_feed, _ = make_shop("No Feed")
    module_off, _ = make_shop("Module Off")
    with tenant_context(configured):
        actions.save_provider_settings(configured, {"key": "http_feed", "format": "csv", "url": f"{feed}/good.csv"})
    with tenant_context(module_off):
        actions.save_provider_settings(module_off, {"key": "http_feed", "format": "csv", "url": f"{feed}/good.csv"})
        set_module_enabled(module_off, "rates", False, cascade=True)
    assert fetch_all_provider_rates.delay().get() == 1
    with tenant_context(configured):
        assert Rate.objects.count() == 2
    for other in (without_feed, module_off):
        with tenant_context(other):
            assert Rate.objects.count() == 0


@pytest.mark.django_db
def test_bad_provider_settings_are_refused(in_shop):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        actions.save_provider_settings(in_shop, {"key": "http_feed", "url": "ftp://x", "unit": "pound", "purity_map": {"18K": "gold_18"}})
    assert set(info.value.message_dict) == {"url", "unit", "purity_map"}
