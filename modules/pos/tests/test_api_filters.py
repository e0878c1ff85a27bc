"""The sales and returns lists' API filters: `?q=` (number, customer, a SKU sold: whole SKU,
any case), one row per sale however many lines match, and inclusive day ranges."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from zargar.tenancy.context import tenant_context

from .helpers import make_pos_shop, make_sellable_piece, sell

pytestmark = pytest.mark.django_db

SALES = "/api/v1/pos/sales/"


@pytest.fixture
def shop():
    return make_pos_shop("Filter Gold")


@pytest.fixture
def api(shop):
    client = APIClient()
    client.force_authenticate(shop.owner)
    client.credentials(HTTP_X_TENANT=shop.tenant.slug)
    return client


def numbers(api, **params):
    response = api.get(SALES, params)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["results"])
    return sorted(row["number"] for row in body["results"])


def test_q_matches_a_whole_sku_and_lists_each_sale_once(shop, api):
    sell(shop, [make_sellable_piece(shop, "R-10"), make_sellable_piece(shop, "R-11")])
    sell(shop, [make_sellable_piece(shop, "R-100")])

    assert numbers(api, q="r-10") == ["S-000001"]          # the SKU as a whole, any case
    assert numbers(api, q="R-1") == []                     # not a part of a SKU
    assert numbers(api, q="S-00000") == ["S-000001", "S-000002"]  # part of a number
    assert numbers(api, q="S-000001") == ["S-000001"]      # two lines, one row
    assert numbers(api, q="   ") == ["S-000001", "S-000002"]


def test_sold_from_and_sold_to_include_their_days(shop, api):
    sale = sell(shop, [make_sellable_piece(shop)])
    with tenant_context(shop.tenant):
        sale.refresh_from_db()
    day = sale.sold_on
    assert numbers(api, sold_from=day.isoformat(), sold_to=day.isoformat()) == [sale.number]
    assert numbers(api, sold_to=(day - dt.timedelta(days=1)).isoformat()) == []
    assert numbers(api, sold_from=(day + dt.timedelta(days=1)).isoformat()) == []
    for bad in ({"sold_from": "22/11/2026"}, {"sold_to": ""}):
        response = api.get(SALES, bad)
        assert response.status_code == 400 and set(bad) <= set(response.json()["error"]["fields"])
