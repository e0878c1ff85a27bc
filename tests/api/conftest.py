"""Fixtures of the API tests: two shops with an owner, items and API keys each, created the
way the product does (actions, in each shop's tenant context)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from modules.inventory import actions as inventory_actions
from modules.inventory.models import Item
from tests.factories import make_shop
from zargar.api import actions as key_actions
from zargar.tenancy.context import tenant_context


@dataclass
class Shop:
    tenant: object
    owner: object
    items: list = field(default_factory=list)
    secret: str = ""
    publishable: str = ""
    key: object = None


def make_item(tenant, sku: str, **extra) -> Item:
    fields = {"name": f"Ring {sku}", "category": "rings", "karat": 18, "gross_weight": Decimal("5.000"), "net_weight": Decimal("4.500"), "price": Decimal("250.00")}
    fields.update(extra)
    with tenant_context(tenant):
        return inventory_actions.create_item(tenant, sku=sku, **fields)


def _shop(name: str, skus) -> Shop:
    tenant, owner = make_shop(name)
    shop = Shop(tenant=tenant, owner=owner)
    shop.items = [make_item(tenant, sku, karat=karat) for sku, karat in skus]
    shop.key, shop.secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    shop.publishable = shop.key.publishable_key
    return shop


@pytest.fixture
def shop_a() -> Shop:
    return _shop("Golden A", [("A-1", 18), ("A-2", 22), ("A-3", 18)])


@pytest.fixture
def shop_b() -> Shop:
    return _shop("Golden B", [("B-1", 18)])


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def with_key(client: APIClient, key: str) -> APIClient:
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is a JSON error envelope with this status (and code)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]
